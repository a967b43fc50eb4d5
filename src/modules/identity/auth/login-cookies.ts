import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../../config/app-config';

const secure = (config: AppConfig) => config.PUBLIC_URL.startsWith('https:');

/** Cookie holding the id of a login or logout in progress (never the state, nonce or verifier). */
export function transactionCookieName(config: AppConfig, kind: 'login' | 'logout'): string {
  return `${secure(config) ? '__Host-' : ''}visio_oidc_${kind}`;
}

export function setTransactionCookie(
  reply: FastifyReply,
  config: AppConfig,
  kind: 'login' | 'logout',
  txId: string,
  maxAgeSeconds: number,
): void {
  // Lax: the provider sends the browser back with a top-level GET, which carries it.
  reply.setCookie(transactionCookieName(config, kind), txId, {
    httpOnly: true,
    secure: secure(config),
    sameSite: 'lax',
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearTransactionCookie(
  reply: FastifyReply,
  config: AppConfig,
  kind: 'login' | 'logout',
): void {
  reply.clearCookie(transactionCookieName(config, kind), {
    path: '/',
    httpOnly: true,
    secure: secure(config),
    sameSite: 'lax',
  });
}
