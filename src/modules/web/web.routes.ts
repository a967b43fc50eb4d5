import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { sessionCookieName } from '../identity/auth/session-cookie';
import { SessionsService } from '../identity/services/sessions.service';
import { LandingService } from './services/landing.service';

/**
 * The landing page at `/`, served outside Nest's router (the global /api
 * prefix would otherwise apply). It resolves the session cookie itself.
 */
@Injectable()
export class WebRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly landing: LandingService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.get('/', (req, reply) => this.page(req, reply));
  }

  private async page(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = req.cookies?.[sessionCookieName(this.config)];
    const principal = token ? await this.sessions.resolve(token) : null;
    const html =
      principal?.kind === 'user'
        ? await this.landing.forAgent(principal)
        : this.landing.anonymous();
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  }
}
