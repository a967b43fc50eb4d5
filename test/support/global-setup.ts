import { runMigrations } from '../../src/database/migrate';
import { Client } from 'pg';
import { adminQuery, databaseUrl, TEST_SERVER_URL } from './database';

/** Runs the migrations once into a template database that each test file copies. */
export default async function globalSetup(): Promise<void> {
  const name = `visio_tpl_${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  await runMigrations(databaseUrl(name));
  process.env.VISIO_TEST_TEMPLATE_DB = name;
  // Leftovers of interrupted runs.
  await dropStale();
}

async function dropStale(): Promise<void> {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^visio_(t|tpl)_' AND datname <> $1`,
      [process.env.VISIO_TEST_TEMPLATE_DB],
    );
    for (const { datname } of rows) {
      const m = /^visio_tpl_(\d+)$/.exec(datname);
      // Only templates of dead runs; per-file databases older runs left behind.
      if (m && isAlive(Number(m[1]))) continue;
      if (!m) continue;
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
