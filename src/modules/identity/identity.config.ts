import { z } from 'zod';

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** ProConnect assurance levels we know, weakest first (eidas1-mfa: eidas1 plus a second factor). */
export const ACR_LEVELS = ['eidas1', 'eidas1-mfa', 'eidas2', 'eidas3'] as const;
export type AcrLevel = (typeof ACR_LEVELS)[number];

/** The acr values at or above a minimum: what we request (essential) and accept. */
export function acceptedAcrValues(min: AcrLevel): string[] {
  return ACR_LEVELS.slice(ACR_LEVELS.indexOf(min));
}

/** Environment variables of the identity module (merged into the service's config schema). */
export const identityConfigSchema = z.object({
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(120),
  GUEST_SESSION_TTL_MINUTES: z.coerce.number().int().positive().default(240),
  /** Emails or `sub`s of platform administrators (comma separated). */
  PLATFORM_ADMINS: csv.default([]),

  /**
   * The OpenID provider (ProConnect: https://<domain>/api/v2). Unset: the
   * embedded local provider in development and test; a boot error in production.
   */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z
    .string()
    .min(1)
    .default('openid email given_name usual_name uid siret idp_id organization_label'),
  /** The lowest accepted assurance level (eidas1 < eidas1-mfa < eidas2 < eidas3). */
  OIDC_MIN_ACR: z.enum(ACR_LEVELS).default('eidas1'),
  /** Default: PUBLIC_URL/api/v1/auth/callback (must match the provider's registration exactly). */
  OIDC_REDIRECT_URI: z.url().optional(),
  /** Default: PUBLIC_URL/api/v1/auth/logout/callback (must match exactly). */
  OIDC_POST_LOGOUT_REDIRECT_URI: z.url().optional(),
  /** How long discovery metadata is reused before being fetched again. */
  OIDC_DISCOVERY_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  /** How long a login may take between the redirect to the provider and the callback. */
  OIDC_LOGIN_TTL_SECONDS: z.coerce.number().int().positive().max(3600).default(600),
  /** auto: the embedded provider when OIDC_ISSUER is unset (never in production); on; off. */
  LOCAL_OIDC: z.enum(['auto', 'on', 'off']).default('auto'),

  /** Lifetime of application (client_credentials) access tokens. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86400).default(600),
  /** Token endpoint requests per minute and client IP. */
  TOKEN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
});
