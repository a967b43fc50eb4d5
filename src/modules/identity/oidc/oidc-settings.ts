import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../../config/app-config';
import { ConfigError, type Config } from '../../../config/config.schema';
import { acceptedAcrValues } from '../identity.config';

/** Where and how the service logs agents in, resolved once from the configuration. */
export interface OidcSettings {
  /** null: no provider configured (login answers 503). */
  issuer: string | null;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scopes: string;
  /** The acr values requested (essential) and accepted, weakest first. */
  acrValues: string[];
  /** The embedded ProConnect-like provider is served under /oidc by this process. */
  local: boolean;
  discoveryTtlSeconds: number;
}

export const OIDC_SETTINGS = Symbol('OIDC_SETTINGS');
export const LOCAL_OIDC_PATH = '/oidc';

/**
 * Validates the OIDC configuration against the run mode. Throws (the service
 * refuses to start) on the embedded provider in production or a missing issuer there.
 */
export function resolveOidcSettings(config: AppConfig): OidcSettings {
  const production = config.NODE_ENV === 'production';
  const local =
    config.LOCAL_OIDC === 'on' ||
    (config.LOCAL_OIDC === 'auto' && !config.OIDC_ISSUER && !production);
  if (local && production) {
    throw new Error(
      'LOCAL_OIDC=on: the local identity provider is for development and tests, never production',
    );
  }
  if (production && !config.OIDC_ISSUER) {
    throw new Error('OIDC_ISSUER is required in production (ProConnect: https://<domain>/api/v2)');
  }
  const issuer = local
    ? `${config.PUBLIC_URL}${LOCAL_OIDC_PATH}`
    : (config.OIDC_ISSUER?.replace(/\/$/, '') ?? null);
  if (issuer && !local && (!config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET)) {
    throw new Error('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER');
  }
  if (production && issuer && !issuer.startsWith('https:')) {
    throw new Error('OIDC_ISSUER must be an https URL in production');
  }
  return {
    issuer,
    clientId: config.OIDC_CLIENT_ID ?? 'visio-local',
    // The local provider lives in this process: a per-boot secret is enough.
    clientSecret: config.OIDC_CLIENT_SECRET ?? randomBytes(32).toString('base64url'),
    redirectUri: config.OIDC_REDIRECT_URI ?? `${config.PUBLIC_URL}/api/v1/auth/callback`,
    postLogoutRedirectUri:
      config.OIDC_POST_LOGOUT_REDIRECT_URI ?? `${config.PUBLIC_URL}/api/v1/auth/logout/callback`,
    scopes: config.OIDC_SCOPES,
    acrValues: acceptedAcrValues(config.OIDC_MIN_ACR),
    local,
    discoveryTtlSeconds: config.OIDC_DISCOVERY_TTL_SECONDS,
  };
}

/** Boot-time check of the identity settings (main.ts): a bad combination exits like any bad variable. */
export function checkOidcConfig(config: Config): void {
  try {
    resolveOidcSettings(config as AppConfig);
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
}
