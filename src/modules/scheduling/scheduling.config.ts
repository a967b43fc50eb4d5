import { z } from 'zod';

/** Environment variables of the scheduling module (merged into the service's config schema). */
export const schedulingConfigSchema = z.object({
  /**
   * How far ahead (days, from the later of now and the series start) recurring
   * meetings are expanded into occurrences for the organizer's conflict check.
   */
  SCHEDULING_HORIZON_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  /** Widest from/to window of the occurrence listing and free/busy queries (days). */
  SCHEDULING_MAX_WINDOW_DAYS: z.coerce.number().int().min(1).max(3660).default(366),
  /** How long an Idempotency-Key of the booking API is remembered (hours). */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});
