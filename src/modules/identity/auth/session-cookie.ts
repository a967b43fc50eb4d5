import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../../config/app-config';

const secure = (config: AppConfig) => config.PUBLIC_URL.startsWith('https:');

/** `__Host-` prefix (Secure, Path=/, no Domain) whenever the service is served over HTTPS. */
export function sessionCookieName(config: AppConfig): string {
  return secure(config) ? '__Host-visio_session' : 'visio_session';
}

export function setSessionCookie(
  reply: FastifyReply,
  config: AppConfig,
  token: string,
  expiresAt: Date,
): void {
  reply.setCookie(sessionCookieName(config), token, {
    httpOnly: true,
    secure: secure(config),
    sameSite: 'lax',
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: AppConfig): void {
  reply.clearCookie(sessionCookieName(config), {
    path: '/',
    httpOnly: true,
    secure: secure(config),
    sameSite: 'lax',
  });
}
