import { Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppConfig } from '../../../config/app-config';
import { Authenticated, CurrentPrincipal } from '../auth/auth.decorators';
import {
  clearTransactionCookie,
  setTransactionCookie,
  transactionCookieName,
} from '../auth/login-cookies';
import type { GuestPrincipal, UserPrincipal } from '../auth/principal';
import { clearSessionCookie, setSessionCookie } from '../auth/session-cookie';
import { AuthService } from '../services/auth.service';
import { AuthPageFilter } from './auth-page.filter';

const LoginQuerySchema = z.object({ returnTo: z.string().max(1000).optional() });

const queryOf = (req: FastifyRequest): string => {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i);
};

@ApiTags('auth')
@Controller('auth')
@UseFilters(AuthPageFilter)
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  /** Redirects the browser to ProConnect (code flow, PKCE S256, state, nonce, required acr). */
  @Get('login')
  async login(
    @Query({ schema: LoginQuerySchema }) query: { returnTo?: string },
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { url, txId } = await this.auth.startLogin(query.returnTo);
    setTransactionCookie(reply, this.config, 'login', txId, this.auth.loginTtlSeconds);
    void reply.header('cache-control', 'no-store').redirect(url, 303);
  }

  /** ProConnect sends the browser back here: verify everything, open a session, go to returnTo. */
  @Get('callback')
  async callback(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const txId = req.cookies[transactionCookieName(this.config, 'login')];
    clearTransactionCookie(reply, this.config, 'login');
    const session = await this.auth.completeLogin(txId, queryOf(req), {
      userAgent: req.headers['user-agent'] ?? null,
      ip: req.ip,
    });
    setSessionCookie(reply, this.config, session.token, session.expiresAt);
    void reply.header('cache-control', 'no-store').redirect(session.returnTo, 303);
  }

  /**
   * Logs out: redirects to ProConnect's end-session endpoint (id_token_hint,
   * state, post_logout_redirect_uri); the session ends when the browser comes back.
   */
  @Post('logout')
  @Authenticated({ guests: true })
  async logout(
    @CurrentPrincipal() p: UserPrincipal | GuestPrincipal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { url, txId } = await this.auth.startLogout(p.sessionId);
    if (txId) setTransactionCookie(reply, this.config, 'logout', txId, 600);
    else clearSessionCookie(reply, this.config);
    void reply.header('cache-control', 'no-store').redirect(url, 303);
  }

  /** The provider's return after logout: checks the state, then ends the local session. */
  @Get('logout/callback')
  async logoutCallback(
    @Query({ schema: z.object({ state: z.string().max(200).optional() }) })
    query: { state?: string },
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.auth.completeLogout(
      req.cookies[transactionCookieName(this.config, 'logout')],
      query.state,
    );
    clearTransactionCookie(reply, this.config, 'logout');
    clearSessionCookie(reply, this.config);
    void reply.header('cache-control', 'no-store').redirect('/', 303);
  }
}
