import { Injectable } from '@nestjs/common';
import type { Principal } from '../../identity/auth/principal';
import type { RoomRole } from '../entities/room-access.entity';
import {
  LobbyRequestsRepository,
  type LobbyRequester,
} from '../repositories/lobby-requests.repository';
import { RoomAccessesRepository } from '../repositories/room-accesses.repository';
import { RoomsErrors } from '../rooms.errors';
import { effectiveStatus, type RoomView } from '../rooms.views';
import { RoomsService } from './rooms.service';

export type AccessDecisionKind = 'enter' | 'lobby' | 'refused';

/** What a caller may do in a room: the REST API and the media and chat gateways all ask here. */
export interface AccessDecision {
  room: RoomView;
  decision: AccessDecisionKind;
  /** The caller's role in the room (null: not a member). */
  role: RoomRole | null;
  /** Owners and administrators moderate: lobby decisions, accesses, media moderation. */
  canModerate: boolean;
  /**
   * Why, when not a plain member entry: `public_room`, `trusted_agent`,
   * `lobby_admitted`, `lobby_required`, `lobby_waiting`, `lobby_denied`,
   * `guest_session_required`, `acting_user_required`, `not_a_member`.
   */
  reason?: string;
  /** The caller's live lobby request, if any. */
  lobbyRequestId?: string;
}

export const MODERATOR_ROLES: readonly RoomRole[] = ['owner', 'administrator'];

/** The user a principal speaks for: users themselves, applications their acting user; guests none. */
function userIdOf(p: Principal | undefined): string | null {
  if (!p) return null;
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'application') return p.actingUserId;
  return null;
}

/** Who would wait in the lobby: users and guests (applications never do). */
export function requesterOf(p: Principal | undefined): LobbyRequester | null {
  if (p?.kind === 'user') return { userId: p.userId };
  if (p?.kind === 'guest') return { guestSessionId: p.guestId };
  return null;
}

/**
 * The access rules of rooms, in one place:
 * - members (any role) always enter;
 * - `public`: everyone enters, guests too;
 * - `trusted`: any agent enters; guests go through the lobby;
 * - `restricted`: non-members (agents and guests) go through the lobby.
 * A live admission from the lobby lets its holder enter until it expires; a
 * live denial refuses them. Platform administrators get no room rights of
 * their own: they are treated as any agent.
 */
@Injectable()
export class RoomAccessService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly accesses: RoomAccessesRepository,
    private readonly lobby: LobbyRequestsRepository,
  ) {}

  /** The decision for `principal` (undefined: an anonymous caller) in the room `slug`; 404 `room_not_found`. */
  async check(principal: Principal | undefined, slug: string): Promise<AccessDecision> {
    return this.decide(principal, await this.rooms.getBySlug(slug));
  }

  /** Same as `check`, by room id. */
  async checkById(principal: Principal | undefined, roomId: string): Promise<AccessDecision> {
    return this.decide(principal, await this.rooms.getById(roomId));
  }

  /** The principal's role in the room (applications: their acting user's). */
  async roleOf(principal: Principal | undefined, roomId: string): Promise<RoomRole | null> {
    const userId = userIdOf(principal);
    if (!userId) return null;
    return (await this.accesses.findForUser(roomId, userId))?.role ?? null;
  }

  /** Owners and administrators of the room moderate it. */
  async isModerator(principal: Principal | undefined, roomId: string): Promise<boolean> {
    const role = await this.roleOf(principal, roomId);
    return role !== null && MODERATOR_ROLES.includes(role);
  }

  /**
   * The room, for a caller who must hold one of `roles`. A caller who may
   * not even see the room gets 404 `room_not_found` (no existence leak); one
   * who sees it without the role gets 403 `room_forbidden`.
   */
  async requireRole(
    principal: Principal | undefined,
    slug: string,
    roles: readonly RoomRole[],
  ): Promise<{ room: RoomView; role: RoomRole }> {
    const d = await this.check(principal, slug);
    if (d.role && roles.includes(d.role)) return { room: d.room, role: d.role };
    if (d.decision === 'enter') throw RoomsErrors.forbidden();
    throw RoomsErrors.roomNotFound();
  }

  /** The room for a caller who may see it (who would enter); otherwise 404. */
  async requireVisible(principal: Principal | undefined, slug: string): Promise<AccessDecision> {
    const d = await this.check(principal, slug);
    if (d.decision !== 'enter') throw RoomsErrors.roomNotFound();
    return d;
  }

  private async decide(principal: Principal | undefined, room: RoomView): Promise<AccessDecision> {
    const userId = userIdOf(principal);
    const role = userId ? ((await this.accesses.findForUser(room.id, userId))?.role ?? null) : null;
    const base = { room, role, canModerate: role !== null && MODERATOR_ROLES.includes(role) };
    if (role) return { ...base, decision: 'enter' };
    if (room.accessLevel === 'public') return { ...base, decision: 'enter', reason: 'public_room' };
    if (principal?.kind === 'application') {
      if (!userId) return { ...base, decision: 'refused', reason: 'acting_user_required' };
      if (room.accessLevel === 'trusted')
        return { ...base, decision: 'enter', reason: 'trusted_agent' };
      // Applications cannot wait in a lobby.
      return { ...base, decision: 'refused', reason: 'not_a_member' };
    }
    if (principal?.kind === 'user' && room.accessLevel === 'trusted') {
      return { ...base, decision: 'enter', reason: 'trusted_agent' };
    }
    const requester = requesterOf(principal);
    if (!requester) return { ...base, decision: 'lobby', reason: 'guest_session_required' };

    const latest = await this.lobby.latestFor(room.id, requester);
    if (latest) {
      const status = effectiveStatus(latest);
      const lobbyRequestId = latest.id;
      if (status === 'admitted')
        return { ...base, decision: 'enter', reason: 'lobby_admitted', lobbyRequestId };
      if (status === 'denied')
        return { ...base, decision: 'refused', reason: 'lobby_denied', lobbyRequestId };
      if (status === 'waiting')
        return { ...base, decision: 'lobby', reason: 'lobby_waiting', lobbyRequestId };
    }
    return { ...base, decision: 'lobby', reason: 'lobby_required' };
  }
}
