import { z } from 'zod';

/** Environment variables of the rooms module (merged into the service's config schema). */
export const roomsConfigSchema = z.object({
  /** Participant cap of a new room when its creator does not set one. */
  ROOM_DEFAULT_MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(500).default(100),
  /** How long a lobby request waits for a moderator (and how long a denial stands) before it expires. */
  LOBBY_REQUEST_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600)
    .default(300),
  /** How long an admission from the lobby lets its holder (re)enter the room. */
  LOBBY_ADMISSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(720),
});
