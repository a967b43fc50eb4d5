import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../auth/auth.decorators';
import { actingUserId, type Principal, type UserPrincipal } from '../auth/principal';
import { AppError } from '../../../common/errors/app-error';
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

  /** The logged-in agent and their ProConnect claims (or the user an application acts for). */
  @Get()
  @Authenticated({ scopes: ['users:read'] })
  me(@CurrentPrincipal() p: Principal): Promise<UserView> {
    const userId = actingUserId(p);
    if (!userId)
      throw AppError.forbidden(
        'acting_user_required',
        'This token does not act for a user (use act_as)',
      );
    return this.users.get(userId);
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
