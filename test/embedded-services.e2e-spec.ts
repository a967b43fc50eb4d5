import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { startEmbeddedPostgres, startRedisChild } from '../src/infra/infrastructure';

/** The fallbacks `npm start` uses on a machine without Postgres or Redis running. */
describe('embedded defaults', () => {
  it('runs a real embedded Postgres with the extensions the migrations need', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visio-embedded-'));
    const pg = await startEmbeddedPostgres(dir);
    try {
      const admin = new URL(pg.url);
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT name FROM pg_available_extensions WHERE name IN ('citext', 'btree_gist') ORDER BY name`,
        );
        expect(rows.map((r) => r.name)).toEqual(['btree_gist', 'citext']);
      } finally {
        await client.end();
      }
    } finally {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('runs a private redis-server child', async () => {
    const redis = await startRedisChild();
    const client = new Redis(redis.url, { lazyConnect: true });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
