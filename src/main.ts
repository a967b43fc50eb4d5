import 'reflect-metadata';
import { AppConfig } from './config/app-config';
import { ConfigError, parseConfig } from './config/config.schema';
import { runMigrations } from './database/migrate';
import { resolveInfrastructure } from './infra/infrastructure';
import { createApp } from './bootstrap';
import { checkOidcConfig } from './modules/identity/oidc/oidc-settings';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseConfig(process.env);
    checkOidcConfig(parsed); // the embedded identity provider never runs in production
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const infra = await resolveInfrastructure(parsed);
  for (const note of infra.notes) process.stderr.write(`visio: ${note}\n`);
  const config = new AppConfig({
    ...parsed,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
  });

  if (config.DATABASE_MIGRATIONS_RUN) {
    const applied = await runMigrations(config.DATABASE_URL);
    if (applied.length) process.stderr.write(`visio: applied migrations ${applied.join(', ')}\n`);
  }

  const app = await createApp(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`visio: ${signal}, shutting down\n`);
    // app.close() runs every shutdown hook (media workers, queues, pools).
    await app.close().catch(() => undefined);
    await infra.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });
  process.stderr.write(
    `visio: ${config.APP_ROLE} role listening on ${config.PUBLIC_URL} (API docs at /api/docs)\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`visio: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.LOG_LEVEL === 'debug' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
