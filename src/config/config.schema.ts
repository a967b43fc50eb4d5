import { z } from 'zod';
import { identityConfigSchema } from '../modules/identity/identity.config';
import { mediaConfigSchema } from '../modules/media/media.config';
import { notificationsConfigSchema } from '../modules/notifications/notifications.config';
import { roomsConfigSchema } from '../modules/rooms/rooms.config';
import { schedulingConfigSchema } from '../modules/scheduling/scheduling.config';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = z.string().url();

/**
 * Every setting of the service, read from the environment and validated at
 * boot. `.env.example` documents each variable; keep both in step.
 */
const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  APP_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  PUBLIC_URL: url.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  CORS_ORIGINS: csv.default([]),
  RATE_LIMIT_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(600),

  DATABASE_URL: url.optional(),
  DATABASE_MIGRATIONS_RUN: bool.default(true),
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  REDIS_URL: url.optional(),
  REDIS_KEY_PREFIX: z.string().default('visio:'),
  EMBEDDED_SERVICES: z.enum(['auto', 'off']).default('auto'),
  DATA_DIR: z.string().min(1).default('.data'),
});

/** The whole schema: the base above plus each module's own variables. */
export const configSchema = baseConfigSchema
  .extend(identityConfigSchema.shape)
  .extend(roomsConfigSchema.shape)
  .extend(schedulingConfigSchema.shape)
  .extend(notificationsConfigSchema.shape)
  .extend(mediaConfigSchema.shape);

export type Config = z.infer<typeof configSchema> & {
  /** Resolved at boot: PUBLIC_URL, or http://localhost:PORT. */
  PUBLIC_URL: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws one ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  // Empty strings mean "unset", as in most .env files.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const c = result.data;
  return { ...c, PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '') };
}
