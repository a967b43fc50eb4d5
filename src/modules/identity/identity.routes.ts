import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { LocalOidcProvider } from './oidc/local-provider';
import { LOCAL_OIDC_PATH, OIDC_SETTINGS, type OidcSettings } from './oidc/oidc-settings';

/**
 * Routes served outside Nest's router: the embedded ProConnect-like provider
 * under /oidc (development and tests only). The landing page at `/` lives in
 * the web module (it lists the agent's rooms, which identity must not depend on).
 */
@Injectable()
export class IdentityRoutes implements OnModuleInit {
  private readonly logger = new Logger('Identity');
  private provider: LocalOidcProvider | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    @Inject(OIDC_SETTINGS) private readonly settings: OidcSettings,
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
}
