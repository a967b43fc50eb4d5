import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../notifications.types';

export const createWebhookEndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
});
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointSchema>;

const page = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  endpointId: z.uuid().optional(),
};

export const deliveriesQuerySchema = z.strictObject(page);
export type DeliveriesQuery = z.infer<typeof deliveriesQuerySchema>;

export const adminDeliveriesQuerySchema = z.strictObject({
  ...page,
  applicationId: z.uuid().optional(),
});
export type AdminDeliveriesQuery = z.infer<typeof adminDeliveriesQuerySchema>;
