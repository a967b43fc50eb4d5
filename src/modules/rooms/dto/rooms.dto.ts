import { z } from 'zod';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** Server-generated slugs: three groups of random lowercase letters. */
export const GENERATED_SLUG = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
/**
 * Any slug, generated or chosen: 3–50 lowercase letters, digits and single
 * hyphens, starting and ending with a letter or digit. The database checks the same.
 */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,48})[a-z0-9]$/;

/** First path segments of the site and words that would confuse people as room names. */
export const RESERVED_SLUGS = new Set([
  'api',
  'admin',
  'administration',
  'health',
  'r',
  'oidc',
  'login',
  'logout',
  'static',
  'assets',
  'docs',
  'auth',
  'callback',
  'dev',
  'new',
  'rooms',
  'room',
  'meet',
  'meetings',
  'users',
  'me',
  'settings',
  'help',
  'support',
  'about',
  'legal',
  'privacy',
  'terms',
  'status',
  'www',
  'app',
  'null',
  'undefined',
]);

export const slugSchema = z
  .string()
  .regex(
    SLUG,
    'A slug is 3–50 lowercase letters, digits and single hyphens, not starting or ending with a hyphen',
  )
  .refine((s) => !s.includes('--'), 'A slug has no double hyphen');

export const accessLevelSchema = z.enum(['public', 'trusted', 'restricted']);
export const roomRoleSchema = z.enum(['owner', 'administrator', 'member']);

/** Room settings clients and the media layer read. Strict: an unknown key is a 400. */
export const roomConfigurationSchema = z
  .object({
    /** Participants join with their microphone muted. */
    muteOnEntry: z.boolean().optional(),
    /** Participants join with their camera off. */
    videoOffOnEntry: z.boolean().optional(),
    /** Participants other than moderators may share their screen. */
    allowScreenShare: z.boolean().optional(),
    /** The room chat is open. */
    chatEnabled: z.boolean().optional(),
    /** Moderators may record the room. */
    recordingAllowed: z.boolean().optional(),
  })
  .strict();
export type RoomConfiguration = z.infer<typeof roomConfigurationSchema>;

const roomName = z.string().trim().min(1).max(200);
const maxParticipants = z.number().int().min(2).max(500);

export const createRoomSchema = z
  .object({
    name: roomName,
    accessLevel: accessLevelSchema.optional(),
    slug: slugSchema.optional(),
    maxParticipants: maxParticipants.optional(),
    configuration: roomConfigurationSchema.optional(),
  })
  .strict();
export type CreateRoomInput = z.infer<typeof createRoomSchema>;

export const updateRoomSchema = z
  .object({
    name: roomName.optional(),
    accessLevel: accessLevelSchema.optional(),
    maxParticipants: maxParticipants.optional(),
    configuration: roomConfigurationSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to update');
export type UpdateRoomInput = z.infer<typeof updateRoomSchema>;

export const listRoomsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(10_000).default(0),
  })
  .strict();

// Control characters and bidirectional overrides (which make a name display as another).
const UNSAFE_TEXT = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export const displayNameSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1)
      .max(80)
      .refine((s) => !UNSAFE_TEXT.test(s), {
        message: 'No control characters',
        params: { code: 'unsafe_characters' },
      }),
  );

export const guestSessionSchema = z.object({ displayName: displayNameSchema }).strict();

export const addAccessSchema = z
  .object({
    userId: z.uuid().optional(),
    email: z.email().max(254).optional(),
    role: roomRoleSchema,
  })
  .strict()
  .refine((v) => (v.userId === undefined) !== (v.email === undefined), {
    message: 'Give exactly one of userId and email',
    path: ['userId'],
  });
export type AddAccessInput = z.infer<typeof addAccessSchema>;

export const updateAccessSchema = z.object({ role: roomRoleSchema }).strict();

/**
 * A path parameter's schema whose issues name the parameter (`slug`,
 * `requestId`…), so a 400 says which field was wrong like a body's does.
 */
export function pathParam<T>(name: string, schema: z.ZodType<T>): StandardSchemaV1<unknown, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'visio',
      validate: (value: unknown) => {
        const r = schema.safeParse(value);
        if (r.success) return { value: r.data };
        return { issues: r.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })) };
      },
    },
  };
}

export const slugParam = pathParam('slug', slugSchema);
export const requestIdParam = pathParam('requestId', z.uuid());
export const accessIdParam = pathParam('accessId', z.uuid());
