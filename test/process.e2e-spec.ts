import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl } from './support/database';
import { createTestDatabase } from './support/database';
import { freePort, TEST_REDIS_URL } from './support/app';

const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');
const CLI = join(__dirname, '..', 'dist', 'src', 'cli');

function run(env: Record<string, string>, untilMs = 60000, args: string[] = [MAIN]) {
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...(process.env.MEDIASOUP_WORKER_BIN
        ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), untilMs);
  exited.finally(() => clearTimeout(timer));
  return { child, exited, output: () => out };
}

/** The built service, as `npm start` runs it (scripts/visio test builds dist/ first). */
describe('the service process', () => {
  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} missing: run the tests through \`npm test\` (it builds first)`);
  });

  it('exits non-zero naming each bad variable', async () => {
    const p = run({ PORT: 'abc', APP_ROLE: 'nope' });
    const code = await p.exited;
    expect(code).toBe(78);
    expect(p.output()).toMatch(/PORT:/);
    expect(p.output()).toMatch(/APP_ROLE:/);
  });

  it('starts, migrates, serves readiness and stops cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const p = run({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `visio:test:proc${port}:`,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    });
    try {
      // Ready once Postgres, Redis and the media workers all answer.
      let ready: Response | undefined;
      for (let i = 0; i < 150 && ready?.status !== 200; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        if (ready?.status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      if (ready?.status !== 200) console.log(await ready?.text(), p.output());
      expect(ready?.status).toBe(200);
      p.child.kill('SIGTERM');
      const code = await p.exited;
      if (code !== 0) console.log(p.output());
      expect(code).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      await db.drop();
    }
    expect(databaseUrl('x')).toContain('/x');
  }, 60000);

  it('writes the OpenAPI document (npm run openapi)', async () => {
    const db = await createTestDatabase();
    const out = join(mkdtempSync(join(tmpdir(), 'visio-openapi-')), 'openapi.json');
    try {
      const p = run(
        {
          DATABASE_URL: db.url,
          REDIS_URL: TEST_REDIS_URL,
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          MEDIA_WORKERS: '1',
        },
        60000,
        [join(CLI, 'openapi.js'), out],
      );
      expect(await p.exited).toBe(0);
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.paths['/api/v1/meetings'].post.requestBody).toBeDefined();
    } finally {
      await db.drop();
    }
  }, 60000);

  it('reverts and re-applies the last migration (npm run migration:revert / migration:run)', async () => {
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, NODE_ENV: 'test' };
    try {
      const revert = run(env, 30000, [join(CLI, 'migrate.js'), 'revert']);
      expect(await revert.exited).toBe(0);
      const again = run(env, 30000, [join(CLI, 'migrate.js'), 'run']);
      expect(await again.exited).toBe(0);
      expect(again.output()).toMatch(/applied: \w+/);
      const noop = run(env, 30000, [join(CLI, 'migrate.js'), 'run']);
      expect(await noop.exited).toBe(0);
      expect(noop.output()).toContain('no pending migration');
    } finally {
      await db.drop();
    }
  }, 60000);
});
