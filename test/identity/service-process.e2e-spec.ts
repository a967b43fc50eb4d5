import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, TEST_REDIS_URL } from '../support/app';
import { createTestDatabase } from '../support/database';
import { Browser, formAction, hiddenInputs, login } from '../support/oidc';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

function run(env: Record<string, string>, untilMs = 30000) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), untilMs);
  void exited.finally(() => clearTimeout(timer));
  return { child, exited, output: () => out };
}

/** The built service as `npm start` runs it (`npm test` builds dist/ first). */
describe('the service process and the embedded identity provider', () => {
  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} missing: run the tests through \`npm test\` (it builds first)`);
  });

  it('refuses to start in production without OIDC_ISSUER, or with the local provider', async () => {
    const missing = run({ NODE_ENV: 'production', PORT: '0' });
    expect(await missing.exited).toBe(78);
    expect(missing.output()).toMatch(/OIDC_ISSUER is required in production/);
    const local = run({ NODE_ENV: 'production', PORT: '0', LOCAL_OIDC: 'on' });
    expect(await local.exited).toBe(78);
    expect(local.output()).toMatch(/never production/);
  });

  it('in development logs in out of the box, and no token, code, state, secret or cookie reaches the logs', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const p = run({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `visio:test:idproc${port}:`,
      LOG_LEVEL: 'info',
      PLATFORM_ADMINS: 'camille.dupont@interieur.gouv.fr',
    });
    const secrets: Record<string, string> = {};
    try {
      let ready: Response | undefined;
      for (let i = 0; i < 150 && !ready; i++) {
        ready = await fetch(`${url}/health/live`).catch(() => undefined);
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready?.status).toBe(200);

      const browser = new Browser();
      const { callback, result } = await login({ url }, browser, { returnTo: '/' });
      expect(await result.response!.text()).toContain('Bonjour Camille Dupont');
      const cb = new URL(callback);
      secrets.code = cb.searchParams.get('code')!;
      secrets.state = cb.searchParams.get('state')!;
      secrets.session = browser.cookie('127.0.0.1', 'visio_session')!;
      const authorize = browser.history.find((h) => h.url.includes('/oidc/auth?'))!;
      secrets.nonce = new URL(authorize.url).searchParams.get('nonce')!;
      const client = new Client({ connectionString: db.url });
      await client.connect();
      secrets.idToken = (
        await client.query('SELECT id_token FROM sessions WHERE id_token IS NOT NULL')
      ).rows[0].id_token;
      await client.end();

      const headers = {
        cookie: `visio_session=${secrets.session}`,
        origin: url,
        'content-type': 'application/json',
      };
      const created = await fetch(`${url}/api/v1/applications`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'Agenda',
          scopes: ['users:read'],
          allowedDomains: ['interieur.gouv.fr'],
        }),
      });
      expect(created.status).toBe(201);
      const app = await created.json();
      secrets.clientSecret = app.clientSecret;
      const token = await fetch(`${url}/api/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: app.clientSecret,
          act_as: 'camille.dupont@interieur.gouv.fr',
        }),
      });
      expect(token.status).toBe(200);
      secrets.accessToken = (await token.json()).access_token;
      const asApp = await fetch(`${url}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${secrets.accessToken}` },
      });
      expect(asApp.status).toBe(200);
      // A wrong secret is logged as a failure, without the secret.
      await fetch(`${url}/api/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: 'wrong-secret-value-0123456789',
        }),
      });

      // Logout round trip through the provider.
      const out = await browser.request(`${url}/api/v1/auth/logout`, { method: 'POST' });
      const endSession = new URL(out.headers.get('location')!);
      secrets.logoutState = endSession.searchParams.get('state')!;
      const confirm = await browser.navigate(endSession.href);
      const html = await confirm.response!.text();
      const back = await browser.navigate(
        new URL(formAction(html, /session\/end\/confirm/), confirm.url).href,
        {
          form: { ...hiddenInputs(html), logout: 'yes' },
        },
      );
      expect(back.url).toBe(`${url}/`);
      expect(
        (
          await fetch(`${url}/api/v1/users/me`, {
            headers: { cookie: `visio_session=${secrets.session}` },
          })
        ).status,
      ).toBe(401);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
      await db.drop();
    }
    const log = p.output();
    // The log is real: request lines of the flow are there.
    expect(log).toContain('/api/v1/auth/callback');
    expect(log).toContain('/api/v1/oauth/token');
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length).toBeGreaterThan(10);
      if (log.includes(value)) throw new Error(`the ${name} appears in the log`);
    }
    expect(log).not.toContain('wrong-secret-value-0123456789');
  }, 60000);
});
