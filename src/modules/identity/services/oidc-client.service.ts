import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { AppError } from '../../../common/errors/app-error';
import { OIDC_SETTINGS, type OidcSettings } from '../oidc/oidc-settings';

/** What one login's redirect needs to remember until the callback. */
export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface VerifiedLogin {
  idToken: string;
  idTokenClaims: client.IDToken;
  userinfo: client.UserInfoResponse;
}

type JwksCache = { jwks: client.JWKS; uat: number };

const now = () => Math.floor(Date.now() / 1000);

/**
 * The ProConnect relying party, on openid-client: discovery (cached, refreshed
 * after OIDC_DISCOVERY_TTL_SECONDS or when the provider's keys changed),
 * authorization URL with PKCE/state/nonce/claims, code exchange with ID token
 * verification, acr check, signed or plain userinfo, end-session URL.
 */
@Injectable()
export class OidcClientService {
  private readonly logger = new Logger('OIDC');
  private metadata: { server: client.ServerMetadata; fetchedAt: number } | null = null;
  private discovering: Promise<client.ServerMetadata> | null = null;
  private jwks: JwksCache | undefined;

  constructor(@Inject(OIDC_SETTINGS) private readonly settings: OidcSettings) {}

  get configured(): boolean {
    return this.settings.issuer !== null;
  }

  private get insecure(): boolean {
    return this.settings.issuer?.startsWith('http:') ?? false;
  }

  /** Server metadata, discovered on first use and refreshed when stale (never at boot). */
  private async serverMetadata(): Promise<client.ServerMetadata> {
    if (!this.settings.issuer)
      throw new AppError(
        'oidc_not_configured',
        'No identity provider is configured (OIDC_ISSUER)',
        503,
      );
    const fresh = this.metadata && Date.now() - this.metadata.fetchedAt < this.ttlMs;
    if (fresh) return this.metadata!.server;
    this.discovering ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        {
          execute: this.insecure ? [client.allowInsecureRequests] : [],
          timeout: 10,
        },
      )
      .then((cfg) => {
        const server = cfg.serverMetadata();
        this.metadata = { server, fetchedAt: Date.now() };
        return server;
      })
      .finally(() => {
        this.discovering = null;
      });
    try {
      return await this.discovering;
    } catch (e) {
      // A provider briefly down: keep serving with the metadata we had.
      if (this.metadata) return this.metadata.server;
      this.logger.warn(`discovery of ${this.settings.issuer} failed: ${errorSummary(e)}`);
      throw new AppError(
        'oidc_provider_unavailable',
        'The identity provider cannot be reached, try again later',
        502,
      );
    }
  }

  private get ttlMs(): number {
    return this.settings.discoveryTtlSeconds * 1000;
  }

  /** A Configuration for one flow, sharing the cached metadata and JWKS. */
  private async configuration(): Promise<{
    cfg: client.Configuration;
    presentedUat: number | undefined;
  }> {
    const server = await this.serverMetadata();
    const cfg = new client.Configuration(
      server,
      this.settings.clientId,
      { client_secret: this.settings.clientSecret },
      client.ClientSecretPost(this.settings.clientSecret),
    );
    if (this.insecure) client.allowInsecureRequests(cfg);
    cfg.timeout = 10;
    // Verify the signature of JWT userinfo responses too (not done by default).
    client.enableNonRepudiationChecks(cfg);
    let presentedUat: number | undefined;
    if (this.jwks) {
      // Presented at least 60 s old, so that an unknown `kid` (key rotation)
      // makes openid-client fetch the JWKS again instead of failing.
      presentedUat = Math.min(this.jwks.uat, now() - 60);
      client.setJwksCache(cfg, { jwks: this.jwks.jwks, uat: presentedUat });
    }
    return { cfg, presentedUat };
  }

  private rememberJwks(cfg: client.Configuration, presentedUat: number | undefined): void {
    const cache = client.getJwksCache(cfg) as JwksCache | undefined;
    if (cache?.uat && cache.uat !== presentedUat) this.jwks = { jwks: cache.jwks, uat: cache.uat };
  }

  /** Forgets metadata and keys: the next login discovers again. */
  invalidate(): void {
    this.metadata = null;
    this.jwks = undefined;
  }

  async authorizationRequest(): Promise<AuthorizationRequest> {
    const { cfg } = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      claims: JSON.stringify({
        id_token: {
          amr: { essential: true },
          acr: { essential: true, values: this.settings.acrValues },
        },
      }),
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /**
   * Completes the authorization code flow from the callback's query string:
   * state, code exchange (PKCE), ID token (signature, iss, aud, exp, nonce),
   * acr at or above the configured level, then userinfo with the same `sub`.
   */
  async completeLogin(
    query: string,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<VerifiedLogin> {
    const { cfg, presentedUat } = await this.configuration();
    const currentUrl = new URL(this.settings.redirectUri);
    currentUrl.search = query;

    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      tokens = await client.authorizationCodeGrant(cfg, currentUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw this.loginError(e, 'token');
    } finally {
      this.rememberJwks(cfg, presentedUat);
    }
    const claims = tokens.claims()!;
    if (typeof claims.acr !== 'string' || !this.settings.acrValues.includes(claims.acr)) {
      throw new AppError(
        'acr_too_low',
        `This service requires an authentication level of at least ${this.settings.acrValues[0]}`,
        403,
        {
          acr: typeof claims.acr === 'string' ? claims.acr : null,
          accepted: this.settings.acrValues,
        },
      );
    }
    let userinfo: client.UserInfoResponse;
    try {
      userinfo = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub);
    } catch (e) {
      throw this.loginError(e, 'userinfo');
    } finally {
      this.rememberJwks(cfg, presentedUat);
    }
    return { idToken: tokens.id_token!, idTokenClaims: claims, userinfo };
  }

  /** The provider's end-session URL with exactly id_token_hint, state and post_logout_redirect_uri. */
  async endSessionUrl(idToken: string, state: string): Promise<string | null> {
    const server = await this.serverMetadata();
    if (!server.end_session_endpoint) return null;
    const url = new URL(server.end_session_endpoint);
    url.searchParams.set('id_token_hint', idToken);
    url.searchParams.set('state', state);
    url.searchParams.set('post_logout_redirect_uri', this.settings.postLogoutRedirectUri);
    return url.href;
  }

  /** Maps openid-client failures to stable codes; messages never carry tokens or codes. */
  private loginError(e: unknown, stage: 'token' | 'userinfo'): AppError {
    if (e instanceof AppError) return e;
    if (e instanceof client.AuthorizationResponseError) {
      const error = e.error;
      return new AppError(
        'oidc_provider_error',
        error === 'access_denied'
          ? 'The login was cancelled or refused at the identity provider'
          : `The identity provider refused the login (${error})`,
        error === 'access_denied' ? 403 : 401,
        { error, error_description: e.error_description ?? null },
      );
    }
    if (e instanceof client.ResponseBodyError) {
      this.logger.warn(`${stage} endpoint answered ${e.status} ${e.error}`);
      return new AppError(
        'oidc_token_rejected',
        'The identity provider rejected the authorization code',
        401,
        { error: e.error },
      );
    }
    const err = e as { code?: string; message?: string; cause?: unknown };
    // openid-client wraps oauth4webapi's error, whose message names the failed check.
    const reason = String(
      err.cause instanceof Error ? err.cause.message : (err.message ?? 'unknown'),
    );
    this.logger.warn(`${stage} verification failed: ${err.code ?? 'error'} ${reason}`);
    if (err.code === 'OAUTH_KEY_SELECTION_FAILED') this.invalidate();
    if (stage === 'token' && err.code === 'OAUTH_INVALID_RESPONSE' && /"state"/.test(reason)) {
      return new AppError(
        'oidc_state_mismatch',
        'The login response does not match the login request (state)',
        400,
      );
    }
    if (stage === 'userinfo' && err.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
      return new AppError(
        'userinfo_subject_mismatch',
        'The userinfo response is about another subject',
        401,
      );
    }
    if (err.code?.startsWith('OAUTH_') || err.code?.startsWith('ERR_JW')) {
      return new AppError(
        stage === 'token' ? 'oidc_invalid_id_token' : 'oidc_invalid_userinfo',
        stage === 'token'
          ? 'The identity provider response failed verification'
          : 'The userinfo response failed verification',
        401,
        { reason },
      );
    }
    return new AppError(
      'oidc_provider_unavailable',
      'The identity provider cannot be reached, try again later',
      502,
    );
  }
}

function errorSummary(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return `${err.code ?? ''} ${err.message ?? String(e)}`.trim();
}
