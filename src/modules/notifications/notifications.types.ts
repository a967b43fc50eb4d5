import { z } from 'zod';

/** One message to send: what MailService.enqueue takes and the mail job delivers. */
export const mailMessageSchema = z.object({
  to: z.array(z.email().max(254)).min(1).max(500),
  subject: z.string().min(1).max(500),
  text: z.string().max(100_000),
  html: z.string().max(500_000).optional(),
  /** An iTIP part: sent as a `text/calendar; method=…` alternative (what calendar clients act on). */
  calendar: z
    .object({
      method: z.enum(['REQUEST', 'CANCEL', 'PUBLISH', 'REPLY']),
      content: z.string().min(1).max(500_000),
    })
    .optional(),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;

/** Events applications can subscribe their webhook endpoints to. */
export const WEBHOOK_EVENTS = [
  'meeting.created',
  'meeting.updated',
  'meeting.cancelled',
  'recording.ready',
  'recording.deleted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const MAIL_QUEUE = 'mail';
export const WEBHOOK_QUEUE = 'webhooks';

export interface MailJob {
  mailId: string;
}
export interface WebhookJob {
  deliveryId: string;
}

/** How long a request waits for Redis to take a job before it goes on (the outbox row stays). */
export const ENQUEUE_WAIT_MS = 2000;
