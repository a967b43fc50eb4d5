import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import { actingUserId, type Principal } from '../../identity/auth/principal';
import { setSessionCookie } from '../../identity/auth/session-cookie';
import { SessionsService } from '../../identity/services/sessions.service';
import {
  createRoomSchema,
  guestSessionSchema,
  listRoomsQuerySchema,
  slugParam,
  updateRoomSchema,
  type CreateRoomInput,
  type UpdateRoomInput,
} from '../dto/rooms.dto';
import { RoomsErrors } from '../rooms.errors';
import {
  toRoomSummary,
  type MyRoomView,
  type RoomSummaryView,
  type RoomView,
} from '../rooms.views';
import { RoomAccessService, type AccessDecision } from '../services/room-access.service';
import { RoomsService, type RoomPage } from '../services/rooms.service';

/** The access decision as the API returns it: the full room only to those who may enter. */
export interface AccessDecisionView extends Omit<AccessDecision, 'room'> {
  room: RoomView | RoomSummaryView;
}

export function toAccessDecisionView(d: AccessDecision): AccessDecisionView {
  return { ...d, room: d.decision === 'enter' ? d.room : toRoomSummary(d.room) };
}

/** The user a request acts for; an application token acting for nobody cannot use these routes. */
function actingUser(p: Principal): string {
  const userId = actingUserId(p);
  if (!userId) throw RoomsErrors.actingUserRequired();
  return userId;
}

@ApiTags('rooms')
@Controller('rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly access: RoomAccessService,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
  ) {}

  /** Creates a room; the caller (or the user an application acts for) becomes its owner. */
  @Post()
  @Authenticated({ scopes: ['rooms:write'] })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body({ schema: createRoomSchema }) body: CreateRoomInput,
  ): Promise<MyRoomView> {
    return { ...(await this.rooms.createForOwner(actingUser(p), body)), role: 'owner' };
  }

  /** The rooms the caller (or the user an application acts for) holds an access to, newest first. */
  @Get()
  @Authenticated({ scopes: ['rooms:read'] })
  list(
    @CurrentPrincipal() p: Principal,
    @Query({ schema: listRoomsQuerySchema }) q: z.infer<typeof listRoomsQuerySchema>,
  ): Promise<RoomPage> {
    return this.rooms.listForUser(actingUser(p), q.limit, q.offset);
  }

  /** A room the caller may enter; any other is 404. */
  @Get(':slug')
  @Authenticated({ guests: true, scopes: ['rooms:read'] })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<MyRoomView> {
    const d = await this.access.requireVisible(p, slug);
    return { ...d.room, role: d.role };
  }

  /** Owners and administrators change the name, access level, cap and configuration. */
  @Patch(':slug')
  @Authenticated({ scopes: ['rooms:write'] })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: updateRoomSchema }) body: UpdateRoomInput,
  ): Promise<MyRoomView> {
    const { room, role } = await this.access.requireRole(p, slug, ['owner', 'administrator']);
    return this.rooms.update(room, body, role);
  }

  /** Owners delete the room (accesses and lobby go with it). */
  @Delete(':slug')
  @Authenticated({ scopes: ['rooms:write'] })
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() p: Principal,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<void> {
    const { room } = await this.access.requireRole(p, slug, ['owner']);
    await this.rooms.delete(room);
  }

  /**
   * What the caller may do: `enter`, wait in the `lobby`, or `refused`, with
   * their role. Open to anyone holding the link, anonymous callers included.
   */
  @Get(':slug/access')
  async accessOf(
    @CurrentPrincipal() p: Principal | undefined,
    @Param('slug', { schema: slugParam }) slug: string,
  ): Promise<AccessDecisionView> {
    return toAccessDecisionView(await this.access.check(p, slug));
  }

  /**
   * Starts a guest session (a cookie) for someone without an account, with
   * the name others will see. Any access level: in a public room the guest
   * enters, elsewhere they ask through the lobby. Signed-in agents need none.
   */
  @Post(':slug/guest-session')
  @HttpCode(201)
  async guestSession(
    @CurrentPrincipal() p: Principal | undefined,
    @Param('slug', { schema: slugParam }) slug: string,
    @Body({ schema: guestSessionSchema }) body: z.infer<typeof guestSessionSchema>,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ guest: { displayName: string; expiresAt: string }; access: AccessDecisionView }> {
    if (p && p.kind !== 'guest') throw RoomsErrors.alreadySignedIn();
    this.checkOrigin(req);
    await this.rooms.getBySlug(slug);
    const session = await this.sessions.createForGuest(body.displayName, {
      userAgent: req.headers['user-agent'] ?? null,
      ip: req.ip,
    });
    // A guest switching rooms or names gets a fresh session; the old one ends.
    if (p?.kind === 'guest') await this.sessions.revoke(p.sessionId);
    setSessionCookie(reply, this.config, session.token, session.expiresAt);
    const decision = await this.access.check(
      {
        kind: 'guest',
        guestId: session.sessionId,
        sessionId: session.sessionId,
        displayName: body.displayName,
      },
      slug,
    );
    return {
      guest: { displayName: body.displayName, expiresAt: session.expiresAt.toISOString() },
      access: toAccessDecisionView(decision),
    };
  }

  /**
   * No cookie yet, so the guard's CSRF check does not run: refuse a
   * cross-site form that would plant a guest session in someone's browser.
   */
  private checkOrigin(req: FastifyRequest): void {
    const origin = req.headers.origin;
    if (!origin) return;
    const allowed = new Set([new URL(this.config.PUBLIC_URL).origin, ...this.config.CORS_ORIGINS]);
    if (!allowed.has(origin))
      throw AppError.forbidden('csrf_origin_mismatch', 'Cross-site request refused (Origin check)');
  }
}
