import { z } from 'zod';

const csv = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Environment variables of the identity module (merged into the service's config schema). */
export const identityConfigSchema = z.object({
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(120),
  GUEST_SESSION_TTL_MINUTES: z.coerce.number().int().positive().default(240),
  /** Emails or `sub`s of platform administrators (comma separated). */
  PLATFORM_ADMINS: csv.default([]),
});
