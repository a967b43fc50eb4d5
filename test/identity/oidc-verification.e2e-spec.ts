import request from 'supertest';
import { startTestApp, freePort, type TestApp } from '../support/app';
import {
  Browser,
  startRogueProvider,
  startStandaloneProvider,
  type RogueProvider,
} from '../support/oidc';
import { generateSigningKey } from '../../src/modules/identity/oidc/local-provider';

const HOST = '127.0.0.1';

/**
 * The relying party's checks, each against a provider that speaks the real
 * protocol with real signatures but gets one thing wrong.
 */
describe('ID token and userinfo verification', () => {
  let rogue: RogueProvider;
  let t: TestApp;
  beforeAll(async () => {
    rogue = await startRogueProvider();
    t = await startTestApp({
      OIDC_ISSUER: rogue.issuer,
      OIDC_CLIENT_ID: rogue.clientId,
      OIDC_CLIENT_SECRET: rogue.clientSecret,
    });
  });
  afterAll(async () => {
    await t.close();
    await rogue.close();
  });
  beforeEach(() => {
    rogue.tamper = {};
  });

  /** Login up to our callback, then the callback as an API client would see it. */
  async function attempt(): Promise<{ status: number; body: any; browser: Browser }> {
    const browser = new Browser();
    const done = await browser.navigate(`${t.url}/api/v1/auth/login`, {
      stopBefore: (u) => u.startsWith(`${t.url}/api/v1/auth/callback`),
    });
    const res = await browser.request(done.stoppedAt!, { headers: { accept: 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, browser };
  }

  it('logs in when everything is right (JWT userinfo)', async () => {
    const { status, browser } = await attempt();
    expect(status).toBe(303);
    const me = await request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${browser.cookie(HOST, 'visio_session')}`)
      .expect(200);
    expect(me.body).toMatchObject({
      email: 'rogue.agent@example.gouv.fr',
      idpId: 'rogue-idp',
      givenName: 'Rogue',
    });
  });

  it('accepts plain JSON userinfo', async () => {
    rogue.tamper = { userinfoFormat: 'json' };
    const { status, browser } = await attempt();
    expect(status).toBe(303);
    await request(t.url)
      .get('/api/v1/users/me')
      .set('Cookie', `visio_session=${browser.cookie(HOST, 'visio_session')}`)
      .expect(200);
  });

  const refused: Array<[string, () => void, number, string, RegExp | null]> = [
    [
      'a nonce that is not ours',
      () => (rogue.tamper = { idToken: { nonce: 'n'.repeat(43) } }),
      401,
      'oidc_invalid_id_token',
      /nonce/,
    ],
    [
      'another audience',
      () => (rogue.tamper = { idToken: { aud: 'someone-else' } }),
      401,
      'oidc_invalid_id_token',
      /aud/,
    ],
    [
      'another issuer',
      () => (rogue.tamper = { idToken: { iss: 'https://evil.example' } }),
      401,
      'oidc_invalid_id_token',
      /iss/,
    ],
    [
      'an expired ID token',
      () => (rogue.tamper = { idToken: { expiresIn: -120 } }),
      401,
      'oidc_invalid_id_token',
      /exp/,
    ],
    [
      'a tampered ID token signature',
      () => (rogue.tamper = { idTokenBadSignature: true }),
      401,
      'oidc_invalid_id_token',
      /signature/,
    ],
    [
      'an acr below the configured level',
      () => (rogue.tamper = { idToken: { acr: 'eidas0' } }),
      403,
      'acr_too_low',
      null,
    ],
    [
      'a userinfo about another subject',
      () => (rogue.tamper = { userinfoSub: 'someone-else' }),
      401,
      'userinfo_subject_mismatch',
      null,
    ],
    [
      'a JSON userinfo about another subject',
      () => (rogue.tamper = { userinfoFormat: 'json', userinfoSub: 'x' }),
      401,
      'userinfo_subject_mismatch',
      null,
    ],
    [
      'a userinfo JWT with a tampered signature',
      () => (rogue.tamper = { userinfoBadSignature: true }),
      401,
      'oidc_invalid_userinfo',
      /signature/,
    ],
  ];
  it.each(refused)('refuses %s', async (_name, setup, status, code, reason) => {
    setup();
    const res = await attempt();
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    if (reason) expect(res.body.details.reason).toMatch(reason);
    expect(res.browser.cookie(HOST, 'visio_session')).toBeUndefined();
  });
});

describe('provider availability and key rotation', () => {
  let t: TestApp;
  let port: number;
  const secret = 'standalone-secret-0123456789abcdef';
  beforeAll(async () => {
    port = await freePort();
    // Nothing listens there yet: the service must start anyway.
    t = await startTestApp({
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: 'visio-standalone',
      OIDC_CLIENT_SECRET: secret,
    });
  });
  afterAll(() => t.close());

  async function fullLogin(): Promise<Browser> {
    const browser = new Browser();
    const page = await browser.navigate(`${t.url}/api/v1/auth/login`);
    expect(page.response!.status).toBe(200);
    const html = await page.response!.text();
    const action = /action="([^"]+\/login)"/.exec(html)![1];
    const agent = /name="agent" value="([^"]+)"/.exec(html)![1];
    const done = await browser.navigate(new URL(action, page.url).href, {
      form: { agent, acr: 'eidas1' },
    });
    expect(done.url).toBe(`${t.url}/`);
    expect(browser.cookie(HOST, 'visio_session')).toBeDefined();
    return browser;
  }

  it('starts without the provider, answers 502 while it is down, logs in once it is up, and follows key rotation', async () => {
    await request(t.url).get('/health/live').expect(200);
    const down = await request(t.url)
      .get('/api/v1/auth/login')
      .set('Accept', 'application/json')
      .expect(502);
    expect(down.body.code).toBe('oidc_provider_unavailable');

    const options = { port, clientId: 'visio-standalone', clientSecret: secret, publicUrl: t.url };
    let provider = await startStandaloneProvider({
      ...options,
      signingKeys: [generateSigningKey()],
    });
    try {
      await fullLogin();
      // The provider restarts with a new signing key: no restart of ours.
      await provider.close();
      provider = await startStandaloneProvider({ ...options, signingKeys: [generateSigningKey()] });
      await fullLogin();
    } finally {
      await provider.close();
    }
  });
});
