import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { interactionPolicy, type Adapter, type AdapterPayload } from 'oidc-provider';
import { ACR_LEVELS } from '../identity.config';
import { escapeHtml } from '../pages/html';

/** A test agent of the local provider, with the claims ProConnect would release. */
export interface LocalAgent {
  sub: string;
  given_name: string;
  usual_name: string;
  email: string;
  uid: string;
  siret: string;
  siren?: string;
  organization_label: string;
  idp_id: string;
  phone_number?: string;
  roles?: string[];
}

/** The agents listed on the local login page. */
export const SEEDED_AGENTS: LocalAgent[] = [
  {
    sub: 'f2a1c7e0-local-0001-camille-dupont',
    given_name: 'Camille',
    usual_name: 'Dupont',
    email: 'camille.dupont@interieur.gouv.fr',
    uid: '1001',
    siret: '11000201100044',
    siren: '110002011',
    organization_label: "Ministère de l'Intérieur",
    idp_id: 'local-fi-interieur',
    roles: ['agent'],
  },
  {
    sub: 'a93b5d12-local-0002-dominique-martin',
    given_name: 'Dominique',
    usual_name: 'Martin',
    email: 'dominique.martin@numerique.gouv.fr',
    uid: '2002',
    siret: '13002526500013',
    siren: '130025265',
    organization_label: 'Direction interministérielle du numérique',
    idp_id: 'local-fi-numerique',
    roles: ['agent', 'manager'],
  },
  {
    sub: '5c7e9f30-local-0003-alix-bernard',
    given_name: 'Alix',
    usual_name: 'Bernard',
    email: 'alix.bernard@culture.gouv.fr',
    uid: '3003',
    siret: '11004601800013',
    siren: '110046018',
    organization_label: 'Ministère de la Culture',
    idp_id: 'local-fi-culture',
  },
];

export interface LocalClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Defaults to ES256, as ProConnect; `none` returns plain JSON userinfo. */
  userinfoSignedResponseAlg?: 'ES256' | 'none';
}

export interface LocalProviderOptions {
  /** Issuer URL; its path is where the provider is mounted (e.g. http://host/oidc). */
  issuer: string;
  clients: LocalClient[];
  agents?: LocalAgent[];
  /** Private signing JWKs (ES256), the first one signs. Default: one fresh key. */
  signingKeys?: JsonWebKey[];
  /** Behind a TLS-terminating proxy (trust X-Forwarded-*). */
  proxy?: boolean;
}

/** A fresh ES256 private signing key (JWK) with a random kid. */
export function generateSigningKey(): JsonWebKey & { kid: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    ...(privateKey.export({ format: 'jwk' }) as JsonWebKey),
    kid: randomBytes(8).toString('hex'),
    alg: 'ES256',
    use: 'sig',
  } as JsonWebKey & { kid: string };
}

const CLAIMS: Record<string, string[]> = {
  openid: ['sub'],
  email: ['email'],
  given_name: ['given_name'],
  usual_name: ['usual_name'],
  uid: ['uid'],
  siret: ['siret'],
  siren: ['siren'],
  idp_id: ['idp_id'],
  organization_label: ['organization_label'],
  phone: ['phone_number'],
  roles: ['roles'],
  acr: ['acr'],
  amr: ['amr'],
};

/**
 * An OpenID provider that behaves like ProConnect for development and tests:
 * same scopes and claims, ES256 ID tokens, signed JWT userinfo, 60 s codes,
 * PKCE S256, the `claims` parameter, acr values eidas1…eidas3, end-session
 * with id_token_hint/state/post_logout_redirect_uri, and a login page listing
 * test agents where the acr can be picked (to exercise the relying party's
 * checks, the picked acr is reported even when below what was asked).
 */
export class LocalOidcProvider {
  readonly issuer: string;
  readonly mountPath: string;
  readonly agents: LocalAgent[];
  private readonly provider: Provider;
  private readonly callback: (req: IncomingMessage, res: ServerResponse) => void;

  constructor(options: LocalProviderOptions) {
    this.issuer = options.issuer.replace(/\/$/, '');
    this.mountPath = new URL(this.issuer).pathname.replace(/\/$/, '');
    this.agents = options.agents ?? SEEDED_AGENTS;
    const agents = new Map(this.agents.map((a) => [a.sub, a]));
    const mountPath = this.mountPath;

    const policy = interactionPolicy.base();
    const login = policy.get('login')!;
    // A session whose acr is not among the essential values asks for a new
    // login (step-up), but the result of a login just made is reported as is.
    login.checks.remove('essential_acrs');
    login.checks.add(
      new interactionPolicy.Check(
        'essential_acrs',
        'none of the requested ACRs could be obtained',
        (ctx) => {
          const request = ctx.oidc.claims?.id_token?.acr;
          if (!request?.essential || !Array.isArray(request.values) || ctx.oidc.result?.login) {
            return interactionPolicy.Check.NO_NEED_TO_PROMPT;
          }
          return request.values.includes(ctx.oidc.acr)
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT;
        },
      ),
    );

    this.provider = new Provider(this.issuer, {
      adapter: memoryAdapterFactory(),
      clients: options.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
        ...(c.userinfoSignedResponseAlg === 'none'
          ? {}
          : { userinfo_signed_response_alg: c.userinfoSignedResponseAlg ?? 'ES256' }),
      })),
      clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
      jwks: { keys: options.signingKeys ?? [generateSigningKey()] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      acrValues: [...ACR_LEVELS],
      scopes: Object.keys(CLAIMS).filter((s) => s !== 'acr' && s !== 'amr'),
      claims: CLAIMS,
      pkce: { required: () => true },
      enabledJWA: {
        idTokenSigningAlgValues: ['ES256'],
        userinfoSigningAlgValues: ['ES256'],
      },
      features: {
        devInteractions: { enabled: false },
        claimsParameter: { enabled: true },
        jwtUserinfo: { enabled: true },
        userinfo: { enabled: true },
        revocation: { enabled: false },
        introspection: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (ctx: any, form: string) => {
            ctx.body = page(
              'Déconnexion',
              `<p>Se déconnecter du fournisseur d'identité local ?</p>${form}
              <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Se déconnecter</button>`,
            );
          },
          postLogoutSuccessSource: async (ctx: any) => {
            ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté.</p>');
          },
        },
      },
      ttl: {
        AuthorizationCode: 60,
        AccessToken: 60,
        IdToken: 60,
        Interaction: 600,
        Session: 12 * 3600,
        Grant: 12 * 3600,
      },
      interactions: {
        policy,
        url: (_ctx: unknown, interaction: { uid: string }) =>
          `${mountPath}/interaction/${interaction.uid}`,
      },
      findAccount: async (_ctx: unknown, sub: string) => {
        const agent = agents.get(sub);
        if (!agent) return undefined;
        return {
          accountId: sub,
          claims: async () => ({ ...agent }),
        };
      },
      renderError: async (ctx: any, out: Record<string, string>) => {
        ctx.type = 'html';
        ctx.body = page(
          'Erreur',
          `<p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p>`,
        );
      },
    });
    this.provider.proxy = !!options.proxy;
    // Errors the provider answers with are normal protocol outcomes, not crashes.
    this.provider.on('server_error', () => undefined);
    this.callback = this.provider.callback();
  }

  /** Node request handler; `req.url` is the full path (mount path included). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const full = req.url ?? '/';
    const rest =
      this.mountPath && full.startsWith(this.mountPath)
        ? full.slice(this.mountPath.length) || '/'
        : full;
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?(?:\?.*)?$/.exec(rest);
    if (interaction) {
      this.interact(req, res, interaction[2]).catch((e: unknown) => {
        sendHtml(
          res,
          400,
          page(
            'Erreur',
            `<p>${escapeHtml(e instanceof Error ? e.message : 'interaction failed')}</p>`,
          ),
        );
      });
      return;
    }
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = full;
    req.url = rest;
    this.callback(req, res);
  }

  private async interact(
    req: IncomingMessage,
    res: ServerResponse,
    action: string | undefined,
  ): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      // ProConnect asks no consent of agents: grant what the client asked for.
      const grant = details.grantId
        ? (await this.provider.Grant.find(details.grantId))!
        : new this.provider.Grant({
            accountId: details.session!.accountId!,
            clientId: String(details.params.client_id),
          });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
      };
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      await this.provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    if (req.method === 'POST' && action === '/abort') {
      await this.provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: "L'agent a annulé la connexion" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (req.method === 'POST' && action === '/login') {
      const form = new URLSearchParams(await readBody(req));
      const agent = this.agents.find((a) => a.sub === form.get('agent'));
      const acr = form.get('acr') ?? 'eidas1';
      if (!agent || !(ACR_LEVELS as readonly string[]).includes(acr)) {
        sendHtml(res, 400, page('Erreur', '<p>Agent ou niveau inconnu.</p>'));
        return;
      }
      await this.provider.interactionFinished(
        req,
        res,
        { login: { accountId: agent.sub, acr, amr: acr === 'eidas1' ? ['pwd'] : ['pwd', 'mfa'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const requested = (details.params.claims ? safeJson(String(details.params.claims)) : undefined)
      ?.id_token?.acr?.values;
    const defaultAcr =
      Array.isArray(requested) && requested.length ? String(requested[0]) : 'eidas1';
    const base = `${this.mountPath}/interaction/${details.uid}`;
    const agents = this.agents
      .map(
        (
          a,
        ) => `<li><button type="submit" name="agent" value="${escapeHtml(a.sub)}">${escapeHtml(`${a.given_name} ${a.usual_name}`)}</button>
          <small>${escapeHtml(a.email)} · ${escapeHtml(a.organization_label)}</small></li>`,
      )
      .join('');
    const levels = ACR_LEVELS.map(
      (l) => `<option value="${l}"${l === defaultAcr ? ' selected' : ''}>${l}</option>`,
    ).join('');
    sendHtml(
      res,
      200,
      page(
        'Connexion (fournisseur local)',
        `<p>Fournisseur d'identité local, pour le développement : choisissez un agent de test.</p>
        <form method="post" action="${base}/login">
          <label>Niveau d'authentification (acr) <select name="acr">${levels}</select></label>
          <ul class="agents">${agents}</ul>
        </form>
        <form method="post" action="${base}/abort"><button type="submit" class="secondary">Annuler</button></form>`,
      ),
    );
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(html);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#161616}
h1{font-size:1.4rem}ul.agents{list-style:none;padding:0}ul.agents li{margin:.6rem 0}
button{font:inherit;padding:.4rem .9rem;background:#000091;color:#fff;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#eee;color:#161616}small{display:block;color:#666}label{display:block;margin:1rem 0}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** oidc-provider storage in this process's memory, one store per provider instance. */
function memoryAdapterFactory(): new (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const grants = new Map<string, Set<string>>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (store.size > 10_000) for (const k of [...store.keys()]) live(k);
      const key = this.key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.grantId) {
        const members = grants.get(payload.grantId) ?? new Set<string>();
        members.add(key);
        grants.set(payload.grantId, members);
      }
      if (payload.uid)
        store.set(`uid:${this.name}:${payload.uid}`, {
          payload: { id },
          expiresAt: store.get(key)!.expiresAt,
        });
      if (payload.userCode)
        store.set(`userCode:${payload.userCode}`, {
          payload: { id },
          expiresAt: store.get(key)!.expiresAt,
        });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      const ref = live(`uid:${this.name}:${uid}`);
      return ref ? live(this.key(String(ref.id))) : undefined;
    }
    async findByUserCode(userCode: string) {
      const ref = live(`userCode:${userCode}`);
      return ref ? live(this.key(String(ref.id))) : undefined;
    }
    async consume(id: string): Promise<void> {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}
