import { z } from 'zod';
import { APPLICATION_SCOPES } from '../auth/scopes';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{3,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
    'must be a domain name',
  );

export const CreateApplicationSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scopes: z.array(z.enum(APPLICATION_SCOPES)).min(1).max(APPLICATION_SCOPES.length),
  /** Email domains of the users this application may act for (none: it may not act for anyone). */
  allowedDomains: z.array(domain).max(50).default([]),
});
export type CreateApplicationInput = z.infer<typeof CreateApplicationSchema>;

/** RFC 6749 §4.4 client credentials request (form-encoded or JSON). */
export const TokenRequestSchema = z.object({
  grant_type: z.string().min(1).max(100),
  client_id: z.string().min(1).max(100).optional(),
  client_secret: z.string().min(1).max(200).optional(),
  scope: z.string().max(1000).optional(),
  /** Email of the user the token acts for (must be in one of the application's allowed domains). */
  act_as: z.string().max(320).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequestSchema>;
