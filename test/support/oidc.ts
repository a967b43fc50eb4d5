import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SignJWT, exportJWK } from 'jose';
import {
  generateSigningKey,
  LocalOidcProvider,
  type LocalAgent,
} from '../../src/modules/identity/oidc/local-provider';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

export interface Hop {
  method: string;
  url: string;
  status: number;
}

/**
 * A small browser: a cookie jar keyed by host (like real browsers, cookies
 * ignore ports), manual redirects that can be stopped before a given URL,
 * forms posted with the page's Origin.
 */
export class Browser {
  private readonly jar = new Map<string, StoredCookie>();
  readonly history: Hop[] = [];

  cookie(host: string, name: string): string | undefined {
    for (const [key, c] of this.jar) {
      if (key.startsWith(`${host}|`) && c.name === name && c.expiresAt > Date.now()) return c.value;
    }
    return undefined;
  }

  /** Drops one cookie (a browser whose cookie was cleared or never set). */
  deleteCookie(host: string, name: string): void {
    for (const key of [...this.jar.keys()])
      if (key.startsWith(`${host}|`) && key.endsWith(`|${name}`)) this.jar.delete(key);
  }

  setCookie(host: string, name: string, value: string): void {
    this.jar.set(`${host}|/|${name}`, { name, value, path: '/', expiresAt: Infinity });
  }

  private cookieHeader(url: URL): string {
    const now = Date.now();
    const out: string[] = [];
    for (const [key, c] of this.jar) {
      if (!key.startsWith(`${url.hostname}|`)) continue;
      if (c.expiresAt <= now) continue;
      if (!(
        url.pathname === c.path ||
        url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)
      ))
        continue;
      out.push(`${c.name}=${c.value}`);
    }
    return out.join('; ');
  }

  private store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expiresAt = Infinity;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v || '/';
        if (key === 'max-age') expiresAt = Date.now() + Number(v) * 1000;
        if (key === 'expires' && expiresAt === Infinity) expiresAt = Date.parse(v);
      }
      const jarKey = `${url.hostname}|${path}|${name}`;
      if (expiresAt <= Date.now()) this.jar.delete(jarKey);
      else this.jar.set(jarKey, { name, value, path, expiresAt });
    }
  }

  /** One request, no redirect followed. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'visio-test-browser',
      ...init.headers,
    };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    if (method !== 'GET' && method !== 'HEAD') headers.origin ??= target.origin;
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(target, { method, headers, body, redirect: 'manual' });
    this.store(target, res);
    this.history.push({ method, url, status: res.status });
    return res;
  }

  /**
   * Requests and follows redirects (as a browser: 303/302 become GET). Stops
   * before requesting a URL for which `stopBefore` is true, returning it.
   */
  async navigate(
    url: string,
    init: {
      method?: string;
      form?: Record<string, string>;
      stopBefore?: (url: string) => boolean;
    } = {},
  ): Promise<{ response: Response | null; url: string; stoppedAt?: string }> {
    let current = url;
    let res = await this.request(current, init);
    for (
      let hops = 0;
      res.status >= 300 && res.status < 400 && res.headers.get('location');
      hops++
    ) {
      if (hops > 20) throw new Error('too many redirects');
      const next = new URL(res.headers.get('location')!, current).href;
      await res.arrayBuffer();
      if (init.stopBefore?.(next)) return { response: null, url: current, stoppedAt: next };
      current = next;
      res = await this.request(current);
    }
    return { response: res, url: current };
  }
}

/** The action of the first form on a page whose action matches. */
export function formAction(html: string, pattern: RegExp): string {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/g))
    if (pattern.test(m[1])) return m[1].replace(/&amp;/g, '&');
  throw new Error(`no form matching ${pattern} in page:\n${html.slice(0, 500)}`);
}

export function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
    out[m[1]] = m[2];
  return out;
}

export interface LoginOptions {
  /** The agent's `sub` (default: the first seeded agent). */
  agent?: string;
  acr?: string;
  returnTo?: string;
}

/**
 * Drives a login up to the provider's redirect to our callback, which is
 * returned without being requested (to be replayed or tampered with).
 */
export async function loginUntilCallback(
  t: { url: string },
  browser: Browser,
  options: LoginOptions = {},
): Promise<string> {
  const start = `${t.url}/api/v1/auth/login${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`;
  const page = await browser.navigate(start);
  if (!page.response || page.response.status !== 200)
    throw new Error(`login page not reached: ${page.response?.status} at ${page.url}`);
  const html = await page.response.text();
  const action = formAction(html, /\/login$/);
  const agent = options.agent ?? /name="agent" value="([^"]+)"/.exec(html)![1];
  const callbackPrefix = `${t.url}/api/v1/auth/callback`;
  const done = await browser.navigate(new URL(action, page.url).href, {
    form: { agent, acr: options.acr ?? 'eidas1' },
    stopBefore: (u) => u.startsWith(callbackPrefix),
  });
  if (!done.stoppedAt)
    throw new Error(
      `the provider did not redirect to the callback (ended at ${done.url}, ${done.response?.status})`,
    );
  return done.stoppedAt;
}

/** A whole login: returns the final navigation (after returnTo) and the session cookie value. */
export async function login(t: { url: string }, browser: Browser, options: LoginOptions = {}) {
  const callback = await loginUntilCallback(t, browser, options);
  const result = await browser.navigate(callback);
  return { callback, result };
}

export interface StandaloneProvider {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The local provider on its own port (not mounted in the app), e.g. to
 * restart it with other signing keys.
 */
export async function startStandaloneProvider(options: {
  port: number;
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  signingKeys?: JsonWebKey[];
  agents?: LocalAgent[];
}): Promise<StandaloneProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const provider = new LocalOidcProvider({
    issuer,
    clients: [
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUris: [`${options.publicUrl}/api/v1/auth/callback`],
        postLogoutRedirectUris: [`${options.publicUrl}/api/v1/auth/logout/callback`],
      },
    ],
    signingKeys: options.signingKeys ?? [generateSigningKey()],
    agents: options.agents,
  });
  const server = createServer((req, res) => provider.handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return { issuer, port: options.port, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface RogueTampering {
  /** Claims of the ID token replaced by these values (`exp` in seconds from now). */
  idToken?: Partial<{ nonce: string; aud: string; iss: string; acr: string; expiresIn: number }>;
  /** Sign the ID token with a key the provider does not publish (same kid). */
  idTokenBadSignature?: boolean;
  userinfoFormat?: 'jwt' | 'json';
  userinfoSub?: string;
  userinfoBadSignature?: boolean;
}

export interface RogueProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  sub: string;
  tamper: RogueTampering;
  close(): Promise<void>;
}

/**
 * A hand-written OpenID provider speaking the real protocol (discovery, JWKS,
 * authorize, token with PKCE, userinfo, end-session) with real ES256
 * signatures, that can be told to misbehave in one precise way.
 */
export async function startRogueProvider(): Promise<RogueProvider> {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(6).toString('hex');
  const publicJwk = { ...(await exportJWK(key.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; used: boolean }>();
  const accessTokens = new Set<string>();
  const clientId = 'rogue-client';
  const clientSecret = randomBytes(16).toString('hex');
  const sub = 'rogue-agent-sub';
  const rogue: RogueProvider = {
    issuer: '',
    clientId,
    clientSecret,
    sub,
    tamper: {},
    close: async () => undefined,
  };

  const sign = (claims: Record<string, unknown>, privateKey: KeyObject) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', rogue.issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: rogue.issuer,
        authorization_endpoint: `${rogue.issuer}/authorize`,
        token_endpoint: `${rogue.issuer}/token`,
        userinfo_endpoint: `${rogue.issuer}/userinfo`,
        jwks_uri: `${rogue.issuer}/jwks`,
        end_session_endpoint: `${rogue.issuer}/session/end`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        userinfo_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        claims_parameter_supported: true,
        acr_values_supported: ['eidas1', 'eidas1-mfa', 'eidas2', 'eidas3'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        nonce: url.searchParams.get('nonce')!,
        challenge: url.searchParams.get('code_challenge')!,
        used: false,
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(303, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const entry = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
        return json(401, { error: 'invalid_client' });
      if (
        !entry ||
        entry.used ||
        createHash('sha256').update(verifier).digest('base64url') !== entry.challenge
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      entry.used = true;
      const t = rogue.tamper.idToken ?? {};
      const now = Math.floor(Date.now() / 1000);
      const exp = now + (t.expiresIn ?? 60);
      const idToken = await sign(
        {
          iss: t.iss ?? rogue.issuer,
          aud: t.aud ?? clientId,
          sub,
          nonce: t.nonce ?? entry.nonce,
          acr: t.acr ?? 'eidas1',
          amr: ['pwd'],
          iat: Math.min(now, exp - 60),
          exp,
          auth_time: now,
        },
        rogue.tamper.idTokenBadSignature ? impostor.privateKey : key.privateKey,
      );
      const accessToken = randomBytes(24).toString('base64url');
      accessTokens.add(accessToken);
      return json(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: 60,
        id_token: idToken,
      });
    }
    if (url.pathname === '/userinfo') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!accessTokens.has(token)) return json(401, { error: 'invalid_token' });
      const claims = {
        sub: rogue.tamper.userinfoSub ?? sub,
        email: 'rogue.agent@example.gouv.fr',
        given_name: 'Rogue',
        usual_name: 'Agent',
        uid: '42',
        siret: '11000201100044',
        idp_id: 'rogue-idp',
        organization_label: 'Test organisation',
      };
      if (rogue.tamper.userinfoFormat === 'json') return json(200, claims);
      const jwt = await sign(
        { ...claims, iss: rogue.issuer, aud: clientId, iat: Math.floor(Date.now() / 1000) },
        rogue.tamper.userinfoBadSignature ? impostor.privateKey : key.privateKey,
      );
      res.writeHead(200, { 'content-type': 'application/jwt' }).end(jwt);
      return;
    }
    if (url.pathname === '/session/end') {
      const back = new URL(url.searchParams.get('post_logout_redirect_uri')!);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(303, { location: back.href }).end();
      return;
    }
    json(404, { error: 'not_found' });
  };

  const server = createServer((req, res) => {
    handler(req, res).catch((e) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rogue.issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  rogue.close = () => closeServer(server);
  return rogue;
}
