import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { REDIS } from '../../../common/redis/redis.module';
import { AppConfig } from '../../../config/app-config';
import type { ApplicationPrincipal } from '../auth/principal';
import type { ApplicationEntity } from '../entities/application.entity';
import { OAuthError } from '../oauth/oauth-error';
import { ApplicationsService } from './applications.service';
import { UsersService } from './users.service';

interface StoredToken {
  applicationId: string;
  scopes: string[];
  actingUserId: string | null;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const EMAIL = /^[^\s@]{1,64}@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;

/**
 * Bearer access tokens of integration applications (client_credentials):
 * opaque random strings, kept in Redis by their SHA-256 with a TTL.
 */
@Injectable()
export class AccessTokensService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly applications: ApplicationsService,
    private readonly users: UsersService,
  ) {}

  private key(token: string): string {
    return `${this.config.REDIS_KEY_PREFIX}identity:access-token:${createHash('sha256').update(token).digest('hex')}`;
  }

  /** Issues a token for an authenticated application, narrowed to `scope` and acting for `actAs` if asked. */
  async issue(
    app: ApplicationEntity,
    request: { scope?: string; actAs?: string },
  ): Promise<TokenResponse> {
    let scopes = app.scopes;
    if (request.scope !== undefined) {
      const asked = Array.from(new Set(request.scope.split(' ').filter(Boolean)));
      const notGranted = asked.filter((s) => !app.scopes.includes(s));
      if (!asked.length || notGranted.length) {
        throw new OAuthError(
          400,
          'invalid_scope',
          'invalid_scope',
          `Scope not granted to this application: ${notGranted.join(' ') || '(empty)'}`,
        );
      }
      scopes = asked.sort();
    }

    let actingUserId: string | null = null;
    if (request.actAs !== undefined) {
      const match = EMAIL.exec(request.actAs.trim());
      if (!match)
        throw new OAuthError(
          400,
          'invalid_request',
          'act_as_invalid',
          'act_as must be an email address',
        );
      const domain = match[1].toLowerCase();
      // Exact domain match: listing a domain does not grant its subdomains.
      if (!app.allowedDomains.includes(domain)) {
        throw new OAuthError(
          400,
          'unauthorized_client',
          'act_as_not_allowed',
          `This application may not act for users of ${domain}`,
        );
      }
      actingUserId = (await this.users.findOrCreateByEmail(request.actAs.trim())).id;
    }

    const token = `vat_${randomBytes(32).toString('base64url')}`;
    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const stored: StoredToken = { applicationId: app.id, scopes, actingUserId };
    await this.redis.set(this.key(token), JSON.stringify(stored), 'EX', ttl);
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') };
  }

  /** The application behind a bearer token, or null when unknown, expired or its application revoked. */
  async resolve(token: string): Promise<ApplicationPrincipal | null> {
    if (!token || token.length > 200) return null;
    const raw = await this.redis.get(this.key(token));
    if (!raw) return null;
    const stored = JSON.parse(raw) as StoredToken;
    const app = await this.applications.findLive(stored.applicationId);
    if (!app) return null;
    return {
      kind: 'application',
      applicationId: app.id,
      // A scope removed from the application since issuance no longer counts.
      scopes: stored.scopes.filter((s) => app.scopes.includes(s)),
      actingUserId: stored.actingUserId,
    };
  }

  /** Counts a token request from this client address; true when over the per-minute limit. */
  async overRateLimit(ip: string): Promise<boolean> {
    const key = `${this.config.REDIS_KEY_PREFIX}identity:token-rate:${ip}`;
    const [[, hits]] = (await this.redis.multi().incr(key).expire(key, 60, 'NX').exec()) as [
      [Error | null, number],
    ];
    return hits > this.config.TOKEN_RATE_LIMIT_PER_MINUTE;
  }
}
