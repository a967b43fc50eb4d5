import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { parseConfig } from '../../src/config/config.schema';
import { createTestDatabase } from './database';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Base URL the app listens on, e.g. http://127.0.0.1:41234 */
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real instance of the service for one test file: its own database (copied
 * from the migrated template), its own Redis key prefix, listening on a free
 * port, configured by `configureApp` like production.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const port = await freePort();
  const parsed = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_KEY_PREFIX: `visio:test:${randomBytes(4).toString('hex')}:`,
    // One mediasoup worker per test app: files run in parallel on few cores.
    MEDIA_WORKERS: '1',
    ...env,
  });
  const config = new AppConfig({ ...parsed, DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });
  const app = await createApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    databaseUrl: db.url,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
