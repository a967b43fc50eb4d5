import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import type { GuestPrincipal, UserPrincipal } from '../../identity/auth/principal';
import { requestIdParam, slugParam } from '../dto/rooms.dto';
import type { LobbyEntryView, LobbyRequestStatusView } from '../rooms.views';
import { LobbyService } from '../services/lobby.service';

@ApiTags('rooms')
@Controller('rooms/:slug')
export class LobbyController {
  constructor(private readonly lobby: LobbyService) {}

  /** Asks to enter (agents and guests); the same requester gets the same entry back. */
  @Post('request-entry')
  @Authenticated({ guests: true })
  @HttpCode(200)
  requestEntry(
    @CurrentPrincipal() p: UserPrincipal | GuestPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<LobbyRequestStatusView> {
    return this.lobby.requestEntry(p, slug);
  }

  /** The requester polls their entry: waiting, admitted, denied or expired. */
  @Get('request-entry')
  @Authenticated({ guests: true })
  status(
    @CurrentPrincipal() p: UserPrincipal | GuestPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<LobbyRequestStatusView> {
    return this.lobby.statusOf(p, slug);
  }

  /** Who is waiting (owners and administrators). */
  @Get('lobby')
  @Authenticated()
  async waiting(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<{ items: LobbyEntryView[] }> {
    return { items: await this.lobby.listWaiting(p, slug) };
  }

  @Post('lobby/:requestId/admit')
  @Authenticated()
  @HttpCode(200)
  admit(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Param('requestId', { schema: requestIdParam }) requestId: string,
  ): Promise<LobbyRequestStatusView> {
    return this.lobby.decide(p, slug, requestId, 'admitted');
  }

  @Post('lobby/:requestId/deny')
  @Authenticated()
  @HttpCode(200)
  deny(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Param('requestId', { schema: requestIdParam }) requestId: string,
  ): Promise<LobbyRequestStatusView> {
    return this.lobby.decide(p, slug, requestId, 'denied');
  }
}
