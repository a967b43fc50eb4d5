import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp } from '../bootstrap';
import { AppConfig } from '../config/app-config';
import { parseConfig } from '../config/config.schema';
import { buildOpenApi } from '../configure-app';
import { resolveInfrastructure } from '../infra/infrastructure';

/** `npm run openapi [file]`: writes the OpenAPI document (default openapi.json). */
async function main(): Promise<void> {
  const out = process.argv[2] ?? 'openapi.json';
  const parsed = parseConfig({ LOG_LEVEL: 'silent', ...process.env });
  const infra = await resolveInfrastructure(parsed);
  const config = new AppConfig({
    ...parsed,
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
  });
  const app = await createApp(config);
  try {
    await app.init();
    writeFileSync(out, `${JSON.stringify(buildOpenApi(app), null, 2)}\n`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await app.close();
    await infra.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`openapi: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
