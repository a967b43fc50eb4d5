import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tests run against: TEST_DATABASE_URL's server, or the machine's local Postgres. */
export const TEST_SERVER_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const u = new URL(TEST_SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(sql: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file, copied from the migrated template that
 * global setup made (fast, and isolated from the other files running in parallel).
 */
export async function createTestDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const template = process.env.VISIO_TEST_TEMPLATE_DB;
  if (!template)
    throw new Error('VISIO_TEST_TEMPLATE_DB unset: run tests through jest (global setup)');
  const name = `visio_t_${randomBytes(6).toString('hex')}`;
  // Two copies of one template at the same instant can collide ("being accessed by other users").
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (e) {
      if (attempt >= 20 || !/being accessed/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return {
    name,
    url: databaseUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
