import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { AccessTokensService } from '../services/access-tokens.service';
import { SessionsService } from '../services/sessions.service';
import { AUTH_POLICY, type AuthPolicy } from './auth.decorators';
import type { Principal } from './principal';
import { sessionCookieName } from './session-cookie';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: resolves the caller from the session cookie or a bearer
 * token, protects cookie-authenticated state changes against CSRF (Origin
 * check), then applies the route's @Authenticated policy.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly tokens: AccessTokensService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);

    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const principal = await this.tokens.resolve(authorization.slice(7).trim());
      if (!principal)
        throw AppError.unauthorized('invalid_token', 'The access token is invalid or expired');
      request.principal = principal;
    } else {
      const token = request.cookies?.[sessionCookieName(this.config)];
      if (token) {
        const principal = await this.sessions.resolve(token);
        if (principal) {
          request.principal = principal;
          if (!SAFE_METHODS.has(request.method)) this.checkOrigin(request);
        }
      }
    }

    if (!policy) return true;
    return this.allow(policy, request.principal);
  }

  private allow(policy: AuthPolicy, p: Principal | undefined): boolean {
    if (!p) throw AppError.unauthorized();
    if (p.kind === 'guest' && !policy.guests) {
      throw AppError.forbidden('guest_not_allowed', 'Guests cannot use this API');
    }
    if (p.kind === 'application') {
      const scopes = policy.scopes;
      if (!scopes || policy.platformAdmin) {
        throw AppError.forbidden('application_not_allowed', 'Applications cannot use this API');
      }
      const missing = scopes.filter((s) => !p.scopes.includes(s));
      if (missing.length)
        throw AppError.forbidden('insufficient_scope', `Missing scope: ${missing.join(' ')}`);
      return true;
    }
    if (policy.applicationsOnly)
      throw AppError.forbidden('application_only', 'This API is for applications');
    if (policy.platformAdmin && !(p.kind === 'user' && p.platformRoles.includes('admin'))) {
      throw AppError.forbidden('platform_admin_required', 'Platform administrators only');
    }
    return true;
  }

  /** Cookies ride along cross-site requests; a state change must come from our own origin. */
  private checkOrigin(request: FastifyRequest): void {
    const allowed = new Set([new URL(this.config.PUBLIC_URL).origin, ...this.config.CORS_ORIGINS]);
    const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
    if (!origin || !allowed.has(origin)) {
      throw AppError.forbidden('csrf_origin_mismatch', 'Cross-site request refused (Origin check)');
    }
  }
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
