import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { sessionCookieName } from './auth/session-cookie';
import { LocalOidcProvider } from './oidc/local-provider';
import { LOCAL_OIDC_PATH, OIDC_SETTINGS, type OidcSettings } from './oidc/oidc-settings';
import { escapeHtml, htmlPage } from './pages/html';
import { SessionsService } from './services/sessions.service';
import { UsersService } from './services/users.service';

/**
 * Routes served outside Nest's router: the embedded ProConnect-like provider
 * under /oidc (development and tests only) and the landing page at `/`.
 */
@Injectable()
export class IdentityRoutes implements OnModuleInit {
  private readonly logger = new Logger('Identity');
  private provider: LocalOidcProvider | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    @Inject(OIDC_SETTINGS) private readonly settings: OidcSettings,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    if (this.config.APP_ROLE === 'worker') return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    if (this.settings.local) {
      this.logger.log(
        `local ProConnect-like provider at ${this.settings.issuer} (development and tests only)`,
      );
      void fastify.register(async (scope) => {
        // oidc-provider reads request bodies itself: leave the stream unread.
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
        const handler = (req: FastifyRequest, reply: FastifyReply) => {
          reply.hijack();
          this.localProvider().handle(req.raw, reply.raw);
        };
        scope.all(LOCAL_OIDC_PATH, handler);
        scope.all(`${LOCAL_OIDC_PATH}/*`, handler);
      });
    }
    fastify.get('/', (req, reply) => this.landing(req, reply));
  }

  /** Built at first use, so processes that never log anyone in pay nothing. */
  private localProvider(): LocalOidcProvider {
    this.provider ??= new LocalOidcProvider({
      issuer: this.settings.issuer!,
      clients: [
        {
          clientId: this.settings.clientId,
          clientSecret: this.settings.clientSecret,
          redirectUris: [this.settings.redirectUri],
          postLogoutRedirectUris: [this.settings.postLogoutRedirectUri],
        },
      ],
      proxy: this.config.TRUST_PROXY,
    });
    return this.provider;
  }

  /** A minimal page: who is logged in, with a logout button; or a login button. */
  private async landing(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = req.cookies?.[sessionCookieName(this.config)];
    const principal = token ? await this.sessions.resolve(token) : null;
    let body: string;
    if (principal?.kind === 'user') {
      const user = await this.users.get(principal.userId);
      const rows: Array<[string, string | null]> = [
        ['Adresse', user.email],
        ['Organisation', user.organizationLabel],
        ['SIRET', user.siret],
        ['Fournisseur', user.idpId],
      ];
      body = `<h1>Bonjour ${escapeHtml(user.displayName)}</h1>
        <dl>${rows
          .filter(([, v]) => v)
          .map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v!)}</dd>`)
          .join('')}</dl>
        <p><a href="/api/v1/users/me">Mon profil (JSON)</a> · <a href="/api/docs">API</a></p>
        <form method="post" action="/api/v1/auth/logout"><button type="submit">Se déconnecter</button></form>`;
    } else {
      body = `<h1>Visio</h1><p>Visioconférence des agents publics.</p>
        <p><a class="button" href="/api/v1/auth/login">S'identifier avec ProConnect</a></p>`;
    }
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(htmlPage('Visio', body));
  }
}
