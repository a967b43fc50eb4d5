import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { startTestApp, TEST_REDIS_URL, type TestApp } from '../support/app';
import { UsersService } from '../../src/modules/identity/services/users.service';
import { Browser, formAction, hiddenInputs, login, loginUntilCallback } from '../support/oidc';

const HOST = '127.0.0.1';
const CAMILLE = 'f2a1c7e0-local-0001-camille-dupont';
const DOMINIQUE = 'a93b5d12-local-0002-dominique-martin';
const ALIX = '5c7e9f30-local-0003-alix-bernard';

describe('ProConnect login against the embedded local provider', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await startTestApp({ PLATFORM_ADMINS: 'dominique.martin@numerique.gouv.fr' });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const sessionOf = (b: Browser) => b.cookie(HOST, 'visio_session');
  const me = (b: Browser) =>
    request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${sessionOf(b)}`);
  const query = async (sql: string, params: unknown[] = []) => {
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      return (await db.query(sql, params)).rows;
    } finally {
      await db.end();
    }
  };

  it('merges a user invited by email before their first login', async () => {
    const pending = await t.app
      .get(UsersService)
      .findOrCreateByEmail('alix.bernard@culture.gouv.fr');
    expect(pending.pending).toBe(true);
    const browser = new Browser();
    await login(t, browser, { agent: ALIX });
    const res = await me(browser).expect(200);
    expect(res.body).toMatchObject({
      id: pending.id,
      pending: false,
      givenName: 'Alix',
      idpId: 'local-fi-culture',
    });
  });

  it('logs an agent in through the provider and lands on an authenticated page', async () => {
    const browser = new Browser();
    const { result } = await login(t, browser, { agent: CAMILLE, returnTo: '/' });
    expect(result.url).toBe(`${t.url}/`);
    expect(result.response!.status).toBe(200);
    expect(await result.response!.text()).toContain('Bonjour Camille Dupont');
    const res = await me(browser).expect(200);
    expect(res.body).toMatchObject({
      email: 'camille.dupont@interieur.gouv.fr',
      givenName: 'Camille',
      usualName: 'Dupont',
      uid: '1001',
      siret: '11000201100044',
      organizationLabel: "Ministère de l'Intérieur",
      idpId: 'local-fi-interieur',
      roles: [],
      platformRoles: [],
      pending: false,
    });
    // The ID token is kept server side (for logout), never in a cookie.
    const [row] = await query(
      'SELECT id_token FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [res.body.id],
    );
    expect(row.id_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(Buffer.from(row.id_token.split('.')[0], 'base64url').toString()).alg).toBe(
      'ES256',
    );
  });

  it('sends a code flow request with PKCE S256, long random state and nonce, exact redirect_uri and the acr claims', async () => {
    const res = await request(t.url).get('/api/v1/auth/login').expect(303);
    const url = new URL(res.headers.location);
    expect(url.origin + url.pathname).toBe(`${t.url}/oidc/auth`);
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('visio-local');
    expect(p.get('redirect_uri')).toBe(`${t.url}/api/v1/auth/callback`);
    expect(p.get('scope')).toBe(
      'openid email given_name usual_name uid siret idp_id organization_label',
    );
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(p.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(p.get('claims')!)).toEqual({
      id_token: {
        amr: { essential: true },
        acr: { essential: true, values: ['eidas1', 'eidas1-mfa', 'eidas2', 'eidas3'] },
      },
    });
    // The browser keeps only a transaction id: no state, nonce or verifier in the cookie.
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('visio_oidc_login='),
    )!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toContain(p.get('state')!);
  });

  it('returns to a same-site path after login, and refuses anything else (no open redirect)', async () => {
    const browser = new Browser();
    const { result } = await login(t, browser, { returnTo: '/r/abc-defg-hij?x=1#top' });
    expect(result.url).toBe(`${t.url}/r/abc-defg-hij?x=1#top`);
    for (const bad of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      '/\t/evil.example',
      'relative/path',
      'javascript:alert(1)',
    ]) {
      const res = await request(t.url)
        .get('/api/v1/auth/login')
        .query({ returnTo: bad })
        .set('Accept', 'application/json')
        .expect(400);
      expect(res.body.code).toBe('invalid_return_to');
    }
  });

  it('refuses a callback whose state does not match the login request (400)', async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(t, browser));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const res = await browser.request(callback.href, { headers: { accept: 'application/json' } });
    const body = await res.json();
    expect({ status: res.status, code: body.code }).toEqual({
      status: 400,
      code: 'oidc_state_mismatch',
    });
    expect(sessionOf(browser)).toBeUndefined();
  });

  it("refuses another browser's callback (login CSRF): state mismatch or no login in progress", async () => {
    const victim = new Browser();
    const attacker = new Browser();
    const attackerCallback = await loginUntilCallback(t, attacker);
    // The victim has a login of their own in progress: the states differ.
    await victim.navigate(`${t.url}/api/v1/auth/login`);
    const res = await victim.request(attackerCallback, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('oidc_state_mismatch');
    // A browser with no login in progress at all.
    const fresh = await new Browser().request(attackerCallback, {
      headers: { accept: 'application/json' },
    });
    expect(fresh.status).toBe(400);
    expect((await fresh.json()).code).toBe('login_expired');
  });

  it('refuses a replayed callback: the login transaction is single use', async () => {
    const browser = new Browser();
    const callback = await loginUntilCallback(t, browser);
    const txId = browser.cookie(HOST, 'visio_oidc_login')!;
    await browser.navigate(callback);
    expect(sessionOf(browser)).toBeDefined();
    browser.setCookie(HOST, 'visio_oidc_login', txId);
    const res = await browser.request(callback, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('login_expired');
  });

  it('refuses a replayed authorization code even with its login transaction restored (provider says invalid_grant)', async () => {
    const browser = new Browser();
    const callback = await loginUntilCallback(t, browser);
    const txId = browser.cookie(HOST, 'visio_oidc_login')!;
    const key = `${t.config.REDIS_KEY_PREFIX}identity:oidc-login:${createHash('sha256').update(txId).digest('hex')}`;
    const saved = (await redis.get(key))!;
    const first = await browser.request(callback);
    expect(first.status).toBe(303);
    await redis.set(key, saved, 'EX', 60);
    browser.setCookie(HOST, 'visio_oidc_login', txId);
    const replay = await browser.request(callback, { headers: { accept: 'application/json' } });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      code: 'oidc_token_rejected',
      details: { error: 'invalid_grant' },
    });
  });

  it('turns a cancelled login (access_denied) into a clear page, not a 500', async () => {
    const browser = new Browser();
    const page = await browser.navigate(`${t.url}/api/v1/auth/login`);
    const html = await page.response!.text();
    const abort = new URL(formAction(html, /\/abort$/), page.url).href;
    const done = await browser.navigate(abort, {
      form: {},
      stopBefore: (u) => u.startsWith(`${t.url}/api/v1/auth/callback`),
    });
    const callback = new URL(done.stoppedAt!);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const htmlRes = await browser.request(callback.href);
    expect(htmlRes.status).toBe(403);
    expect(htmlRes.headers.get('content-type')).toMatch(/text\/html/);
    expect(await htmlRes.text()).toMatch(
      /Connexion impossible[\s\S]*oidc_provider_error[\s\S]*Réessayer/,
    );
  });

  it('reports login_required from the provider as a JSON error for API clients', async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(t, browser));
    callback.searchParams.delete('code');
    callback.searchParams.set('error', 'login_required');
    const res = await browser.request(callback.href, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: 'oidc_provider_error',
      details: { error: 'login_required' },
    });
  });

  it('refreshes the profile at every login and grants platform admin from PLATFORM_ADMINS', async () => {
    const first = new Browser();
    await login(t, first, { agent: DOMINIQUE });
    const before = await me(first).expect(200);
    expect(before.body.platformRoles).toEqual(['admin']);
    await query(`UPDATE users SET given_name = 'Stale', organization_label = NULL WHERE id = $1`, [
      before.body.id,
    ]);
    const second = new Browser();
    await login(t, second, { agent: DOMINIQUE });
    const after = await me(second).expect(200);
    expect(after.body).toMatchObject({
      id: before.body.id,
      givenName: 'Dominique',
      organizationLabel: 'Direction interministérielle du numérique',
    });
  });

  it('logs out through the provider: end-session with id_token_hint, state and the exact post_logout_redirect_uri', async () => {
    const browser = new Browser();
    await login(t, browser);
    await me(browser).expect(200);
    const cookie = sessionOf(browser)!;
    const [row] = await query(
      'SELECT id_token FROM sessions WHERE revoked_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    const out = await browser.request(`${t.url}/api/v1/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(303);
    const endSession = new URL(out.headers.get('location')!);
    expect(endSession.origin + endSession.pathname).toBe(`${t.url}/oidc/session/end`);
    expect([...endSession.searchParams.keys()].sort()).toEqual([
      'id_token_hint',
      'post_logout_redirect_uri',
      'state',
    ]);
    expect(endSession.searchParams.get('id_token_hint')).toBe(row.id_token);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(
      `${t.url}/api/v1/auth/logout/callback`,
    );
    expect(endSession.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    const confirm = await browser.navigate(endSession.href);
    const html = await confirm.response!.text();
    const back = await browser.navigate(
      new URL(formAction(html, /session\/end\/confirm/), confirm.url).href,
      {
        form: { ...hiddenInputs(html), logout: 'yes' },
      },
    );
    expect(
      browser.history.some((h) => h.url.startsWith(`${t.url}/api/v1/auth/logout/callback?state=`)),
    ).toBe(true);
    expect(back.url).toBe(`${t.url}/`);
    expect(await back.response!.text()).toContain("S'identifier avec ProConnect");
    expect(sessionOf(browser)).toBeUndefined();
    await request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${cookie}`)
      .expect(401);
  });

  it('keeps the session when the logout return carries a wrong state, ends it with the right one', async () => {
    const browser = new Browser();
    await login(t, browser);
    const cookie = sessionOf(browser)!;
    const out = await browser.request(`${t.url}/api/v1/auth/logout`, { method: 'POST' });
    const state = new URL(out.headers.get('location')!).searchParams.get('state')!;
    const wrong = await browser.request(
      `${t.url}/api/v1/auth/logout/callback?state=${state.slice(0, -1)}A`,
      { headers: { accept: 'application/json' } },
    );
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).code).toBe('logout_state_mismatch');
    await request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${cookie}`)
      .expect(200);
    const right = await browser.request(`${t.url}/api/v1/auth/logout/callback?state=${state}`);
    expect(right.status).toBe(303);
    await request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${cookie}`)
      .expect(401);
  });

  it('refuses a logout POST from another origin (CSRF) and without a session', async () => {
    const browser = new Browser();
    await login(t, browser);
    const res = await browser.request(`${t.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', accept: 'application/json' },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('csrf_origin_mismatch');
    await me(browser).expect(200);
    await request(t.url).post('/api/v1/auth/logout').expect(401);
  });

  it('ends sessions made by login when revoked or expired', async () => {
    const a = new Browser();
    await login(t, a);
    const list = await me(a).expect(200);
    const sessions = await request(t.url)
      .get('/api/v1/users/me/sessions')
      .set('Cookie', `visio_session=${sessionOf(a)}`)
      .expect(200);
    const current = sessions.body.items.find((s: { current: boolean }) => s.current);
    expect(current.userAgent).toBe('visio-test-browser');
    await request(t.url)
      .delete(`/api/v1/users/me/sessions/${current.id}`)
      .set('Cookie', `visio_session=${sessionOf(a)}`)
      .set('Origin', t.url)
      .expect(204);
    await me(a).expect(401);
    const b = new Browser();
    await login(t, b);
    await me(b).expect(200);
    await query(
      `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND revoked_at IS NULL`,
      [list.body.id],
    );
    await me(b).expect(401);
    // The landing page no longer shows the agent either.
    const page = await b.navigate(`${t.url}/`);
    expect(await page.response!.text()).toContain("S'identifier avec ProConnect");
  });
});

describe('ProConnect login with a required assurance level', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OIDC_MIN_ACR: 'eidas2' });
  });
  afterAll(() => t.close());

  it('requests only the accepted levels', async () => {
    const res = await request(t.url).get('/api/v1/auth/login').expect(303);
    const claims = JSON.parse(new URL(res.headers.location).searchParams.get('claims')!);
    expect(claims.id_token.acr).toEqual({ essential: true, values: ['eidas2', 'eidas3'] });
  });

  it('refuses an ID token whose acr is below the configured level with 403', async () => {
    const browser = new Browser();
    const callback = await loginUntilCallback(t, browser, { acr: 'eidas1-mfa' });
    const res = await browser.request(callback, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'acr_too_low', details: { acr: 'eidas1-mfa' } });
    expect(browser.cookie(HOST, 'visio_session')).toBeUndefined();
  });

  it('accepts the configured level and above', async () => {
    for (const acr of ['eidas2', 'eidas3']) {
      const browser = new Browser();
      await login(t, browser, { acr });
      expect(browser.cookie(HOST, 'visio_session')).toBeDefined();
    }
  });
});
