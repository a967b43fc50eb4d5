import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../../../config/app-config';
import type { GuestPrincipal, Principal, UserPrincipal } from '../../identity/auth/principal';
import type { LobbyRequestEntity } from '../entities/lobby-request.entity';
import { LobbyRequestsRepository } from '../repositories/lobby-requests.repository';
import { RoomsErrors } from '../rooms.errors';
import type {
  LobbyRequesterRef,
  RoomLobbyDecidedEvent,
  RoomLobbyRequestedEvent,
} from '../rooms.events';
import {
  effectiveStatus,
  toLobbyEntryView,
  toLobbyStatusView,
  type LobbyEntryView,
  type LobbyRequestStatusView,
  type RoomView,
} from '../rooms.views';
import { MODERATOR_ROLES, RoomAccessService, requesterOf } from './room-access.service';

/** How many waiting entries a moderator's list shows at most. */
const LOBBY_LIST_LIMIT = 200;

const refOf = (l: LobbyRequestEntity): LobbyRequesterRef =>
  l.userId
    ? { kind: 'user', userId: l.userId }
    : { kind: 'guest', guestSessionId: l.guestSessionId! };

/**
 * The lobby: those who may not enter directly ask (`requestEntry`), a
 * moderator admits or denies, the requester polls (and the gateways push the
 * `room.lobby.*` events). Waiting entries expire after
 * LOBBY_REQUEST_TTL_SECONDS; an admission is valid LOBBY_ADMISSION_TTL_MINUTES;
 * a denial stands LOBBY_REQUEST_TTL_SECONDS, after which one may ask again.
 */
@Injectable()
export class LobbyService {
  constructor(
    private readonly access: RoomAccessService,
    private readonly requests: LobbyRequestsRepository,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Asks to enter. Idempotent: while a request is waiting (or a decision
   * stands) the requester gets that same entry back. 409 `lobby_not_required`
   * when the caller may enter directly.
   */
  async requestEntry(
    principal: UserPrincipal | GuestPrincipal,
    slug: string,
  ): Promise<LobbyRequestStatusView> {
    const d = await this.access.check(principal, slug);
    if (d.decision === 'enter' && d.reason !== 'lobby_admitted')
      throw RoomsErrors.lobbyNotRequired();
    const requester = requesterOf(principal)!;
    const roomId = d.room.id;
    if (d.lobbyRequestId) {
      const current = await this.requests.findById(roomId, d.lobbyRequestId);
      if (current && effectiveStatus(current) !== 'expired') return toLobbyStatusView(current);
    }
    await this.requests.expireWaiting(roomId, requester);
    const displayName = principal.displayName.slice(0, 200) || 'Agent';
    const created = await this.requests.insertWaiting(
      roomId,
      requester,
      displayName,
      this.config.LOBBY_REQUEST_TTL_SECONDS,
    );
    if (!created) {
      // A concurrent ask from the same requester won the insert: theirs is ours.
      return toLobbyStatusView((await this.requests.latestFor(roomId, requester))!);
    }
    await this.requests.purgeExpired(roomId);
    this.events.emit('room.lobby.requested', {
      roomId,
      slug: d.room.slug,
      requestId: created.id,
      requester: refOf(created),
      displayName: created.displayName,
      createdAt: created.createdAt.toISOString(),
      expiresAt: created.expiresAt.toISOString(),
    } satisfies RoomLobbyRequestedEvent);
    return toLobbyStatusView(created);
  }

  /** The caller's latest request in the room; 404 `lobby_request_not_found` when they never asked. */
  async statusOf(principal: Principal | undefined, slug: string): Promise<LobbyRequestStatusView> {
    const d = await this.access.check(principal, slug);
    const requester = requesterOf(principal);
    const latest = requester ? await this.requests.latestFor(d.room.id, requester) : null;
    if (!latest) throw RoomsErrors.lobbyRequestNotFound();
    return toLobbyStatusView(latest);
  }

  /** Waiting entries, oldest first (moderators only). */
  async listWaiting(principal: Principal | undefined, slug: string): Promise<LobbyEntryView[]> {
    const { room } = await this.access.requireRole(principal, slug, MODERATOR_ROLES);
    return (await this.requests.listWaiting(room.id, LOBBY_LIST_LIMIT)).map(toLobbyEntryView);
  }

  /** Admits or denies a live waiting entry (moderators only); 409 `lobby_request_not_waiting` otherwise. */
  async decide(
    principal: UserPrincipal,
    slug: string,
    requestId: string,
    status: 'admitted' | 'denied',
  ): Promise<LobbyRequestStatusView> {
    const { room } = await this.access.requireRole(principal, slug, MODERATOR_ROLES);
    const validFor =
      status === 'admitted'
        ? this.config.LOBBY_ADMISSION_TTL_MINUTES * 60
        : this.config.LOBBY_REQUEST_TTL_SECONDS;
    const decided = await this.requests.decide(
      room.id,
      requestId,
      status,
      principal.userId,
      validFor,
    );
    if (!decided) {
      const existing = await this.requests.findById(room.id, requestId);
      if (!existing) throw RoomsErrors.lobbyRequestNotFound();
      throw RoomsErrors.lobbyRequestNotWaiting(effectiveStatus(existing));
    }
    this.emitDecided(room, decided, status);
    return toLobbyStatusView(decided);
  }

  private emitDecided(room: RoomView, l: LobbyRequestEntity, status: 'admitted' | 'denied'): void {
    this.events.emit('room.lobby.decided', {
      roomId: room.id,
      slug: room.slug,
      requestId: l.id,
      requester: refOf(l),
      status,
      decidedBy: l.decidedBy!,
      decidedAt: l.decidedAt!.toISOString(),
      expiresAt: l.expiresAt.toISOString(),
    } satisfies RoomLobbyDecidedEvent);
  }
}
