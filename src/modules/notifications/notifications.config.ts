import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Environment variables of the notifications module (merged into the service's config schema). */
export const notificationsConfigSchema = z.object({
  /** SMTP relay. Unset: messages are written as .eml files under DATA_DIR/mail (not in production). */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** Sender of invitations and notices. */
  MAIL_FROM: z.string().min(3).default('Visio <no-reply@visio.localhost>'),
  /** Attempts and first backoff delay (exponential) of a mail job. */
  MAIL_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  MAIL_BACKOFF_MS: z.coerce.number().int().min(10).default(5000),
  /** Attempts and first backoff delay (exponential) of a webhook delivery. */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(10000),
  /** Per-request timeout of a webhook delivery. */
  /**
   * Let webhooks reach loopback, private and link-local addresses. Default:
   * allowed outside production, refused in production (no SSRF into the
   * operator's network).
   */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000),
});
