import { z } from 'zod';

/** Environment variables of the rooms module (merged into the service's config schema). */
export const roomsConfigSchema = z.object({});
