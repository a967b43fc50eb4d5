import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../auth/auth.decorators';
import type { UserPrincipal } from '../auth/principal';
import { SessionsService, type SessionView } from '../services/sessions.service';
import { UsersService, type UserView } from '../services/users.service';

@ApiTags('users')
@Controller('users/me')
@Authenticated()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {}

  /** The logged-in agent and their ProConnect claims. */
  @Get()
  me(@CurrentPrincipal() p: UserPrincipal): Promise<UserView> {
    return this.users.get(p.userId);
  }

  /** The agent's live sessions (devices), newest activity first. */
  @Get('sessions')
  async sessionsList(@CurrentPrincipal() p: UserPrincipal): Promise<{ items: SessionView[] }> {
    return { items: await this.sessions.listForUser(p.userId, p.sessionId) };
  }

  /** Revokes one session: its next request is 401. */
  @Delete('sessions/:id')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('id', { schema: z.uuid() }) id: string,
  ): Promise<void> {
    await this.sessions.revokeForUser(p.userId, id);
  }
}
