import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../common/errors/app-error';
import { REDIS } from '../../../common/redis/redis.module';
import { AppConfig } from '../../../config/app-config';
import { OIDC_SETTINGS, type OidcSettings } from '../oidc/oidc-settings';
import { OidcClientService } from './oidc-client.service';
import { SessionsService } from './sessions.service';
import { UsersService } from './users.service';

interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

interface LogoutTransaction {
  state: string;
  sessionId: string;
}

const LOGOUT_TTL_SECONDS = 600;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);

/**
 * Only a path of this site: `/…` but not `//host` or `/\host` (browsers read
 * both as another host), no control characters (stripped by browsers).
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  if (
    value.length > 1000 ||
    !value.startsWith('/') ||
    /^\/[/\\]/.test(value) ||
    /[\\\u0000-\u001f\u007f]/.test(value)
  ) {
    throw AppError.badRequest('invalid_return_to', 'returnTo must be a path of this site');
  }
  const base = new URL(publicUrl);
  const url = new URL(value, base);
  if (url.origin !== base.origin)
    throw AppError.badRequest('invalid_return_to', 'returnTo must be a path of this site');
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Login and logout with ProConnect. The browser holds only a random
 * transaction id (cookie); state, nonce and PKCE verifier stay in Redis and
 * are usable once.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(OIDC_SETTINGS) private readonly settings: OidcSettings,
    private readonly config: AppConfig,
    private readonly oidc: OidcClientService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  private key(kind: 'login' | 'logout', txId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}identity:oidc-${kind}:${createHash('sha256').update(txId).digest('hex')}`;
  }

  get loginTtlSeconds(): number {
    return this.config.OIDC_LOGIN_TTL_SECONDS;
  }

  /** Starts a login: the provider URL to redirect to and the transaction id for the cookie. */
  async startLogin(returnTo: string | undefined): Promise<{ url: string; txId: string }> {
    const target = safeReturnTo(returnTo, this.config.PUBLIC_URL);
    const request = await this.oidc.authorizationRequest();
    const txId = randomBytes(32).toString('base64url');
    const tx: LoginTransaction = {
      state: request.state,
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      returnTo: target,
    };
    await this.redis.set(this.key('login', txId), JSON.stringify(tx), 'EX', this.loginTtlSeconds);
    return { url: request.url, txId };
  }

  /** Completes a login from the callback: a new session for the (created, merged or refreshed) user. */
  async completeLogin(
    txId: string | undefined,
    query: string,
    meta: { userAgent?: string | null; ip?: string | null },
  ): Promise<{ token: string; expiresAt: Date; returnTo: string }> {
    // GETDEL: a transaction (and so a code) is used once, even if this login fails.
    const raw =
      txId && txId.length <= 100 ? await this.redis.getdel(this.key('login', txId)) : null;
    if (!raw) {
      throw AppError.badRequest(
        'login_expired',
        'No login in progress in this browser, or it expired: start again',
      );
    }
    const tx = JSON.parse(raw) as LoginTransaction;
    const login = await this.oidc.completeLogin(query, tx);
    const info = login.userinfo as Record<string, unknown>;
    const claims = login.idTokenClaims as Record<string, unknown>;
    const sub = login.idTokenClaims.sub;
    const idpId = str(info.idp_id) ?? str(claims.idp_id) ?? this.settings.issuer!;
    const email = str(info.email)?.toLowerCase() ?? null;
    const user = await this.users.upsertFromLogin(idpId, sub, {
      email,
      givenName: str(info.given_name),
      usualName: str(info.usual_name),
      uid: str(info.uid),
      siret: str(info.siret),
      organizationLabel: str(info.organization_label),
      idpRoles: Array.isArray(info.roles) ? info.roles : [],
    });
    const session = await this.sessions.createForUser(user.id, { idToken: login.idToken, ...meta });
    this.logger.log(`user ${user.id} logged in (acr ${String(claims.acr)}, idp ${idpId})`);
    return { token: session.token, expiresAt: session.expiresAt, returnTo: tx.returnTo };
  }

  /**
   * Starts a logout. With an ID token and an end-session endpoint: the provider
   * URL (the local session ends when the browser comes back with the state).
   * Otherwise the local session ends now.
   */
  async startLogout(sessionId: string): Promise<{ url: string; txId: string | null }> {
    const idToken = await this.sessions.idTokenOf(sessionId);
    if (idToken && this.oidc.configured) {
      const state = randomBytes(32).toString('base64url');
      try {
        const url = await this.oidc.endSessionUrl(idToken, state);
        if (url) {
          const txId = randomBytes(32).toString('base64url');
          const tx: LogoutTransaction = { state, sessionId };
          await this.redis.set(
            this.key('logout', txId),
            JSON.stringify(tx),
            'EX',
            LOGOUT_TTL_SECONDS,
          );
          return { url, txId };
        }
      } catch (e) {
        // The provider is unreachable: at least end the session here.
        this.logger.warn(`end-session unavailable, logging out locally: ${(e as Error).message}`);
      }
    }
    await this.sessions.revoke(sessionId);
    return { url: '/', txId: null };
  }

  /** The provider sent the browser back: the state must be ours, then the session ends. */
  async completeLogout(txId: string | undefined, state: string | undefined): Promise<void> {
    const key = txId && txId.length <= 100 ? this.key('logout', txId) : null;
    const raw = key ? await this.redis.get(key) : null;
    if (!raw)
      throw AppError.badRequest(
        'logout_expired',
        'No logout in progress in this browser, or it expired',
      );
    const tx = JSON.parse(raw) as LogoutTransaction;
    const given = Buffer.from(state ?? '');
    const expected = Buffer.from(tx.state);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw AppError.badRequest(
        'logout_state_mismatch',
        'The logout response does not match the logout request (state)',
      );
    }
    await this.redis.del(key!);
    await this.sessions.revoke(tx.sessionId);
  }
}
