import { z } from 'zod';

/** Environment variables of the notifications module (merged into the service's config schema). */
export const notificationsConfigSchema = z.object({});
