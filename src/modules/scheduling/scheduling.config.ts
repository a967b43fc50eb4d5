import { z } from 'zod';

/** Environment variables of the scheduling module (merged into the service's config schema). */
export const schedulingConfigSchema = z.object({});
