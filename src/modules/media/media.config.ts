import { z } from 'zod';

/** Environment variables of the media module (merged into the service's config schema). */
export const mediaConfigSchema = z.object({});
