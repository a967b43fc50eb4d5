import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { UserPrincipal } from '../../identity/auth/principal';
import { UsersService } from '../../identity/services/users.service';
import type { AddAccessInput } from '../dto/rooms.dto';
import type { RoomAccessEntity, RoomRole } from '../entities/room-access.entity';
import {
  RoomAccessesRepository,
  type LockedRoomAccesses,
} from '../repositories/room-accesses.repository';
import { RoomsErrors } from '../rooms.errors';
import type { RoomAccessChangedEvent } from '../rooms.events';
import type { RoomAccessView, RoomView } from '../rooms.views';
import { MODERATOR_ROLES, RoomAccessService } from './room-access.service';

const ALL_ROLES: readonly RoomRole[] = ['owner', 'administrator', 'member'];

/**
 * Who holds which role in a room. Owners manage every access; administrators
 * manage administrators and members but never grant, change or remove the
 * owner role; anyone may give up their own access. A room always keeps an
 * owner: removing or demoting the last one is 409 `last_owner`, checked under
 * row locks on the owner rows so concurrent changes cannot both pass.
 */
@Injectable()
export class RoomAccessesService {
  constructor(
    private readonly access: RoomAccessService,
    private readonly accesses: RoomAccessesRepository,
    private readonly users: UsersService,
    private readonly events: EventEmitter2,
  ) {}

  async list(principal: UserPrincipal, slug: string): Promise<RoomAccessView[]> {
    const { room } = await this.access.requireRole(principal, slug, MODERATOR_ROLES);
    return this.views(await this.accesses.listForRoom(room.id));
  }

  async add(
    principal: UserPrincipal,
    slug: string,
    input: AddAccessInput,
  ): Promise<RoomAccessView> {
    const { room, role: callerRole } = await this.access.requireRole(
      principal,
      slug,
      MODERATOR_ROLES,
    );
    if (input.role === 'owner' && callerRole !== 'owner') throw RoomsErrors.roleNotAllowed();
    const user = input.userId
      ? await this.users.get(input.userId)
      : await this.users.findOrCreateByEmail(input.email!);
    const created = await this.accesses.insert(room.id, user.id, input.role);
    if (!created) throw RoomsErrors.accessExists();
    this.emitChanged(room, created.userId, created.role);
    return (await this.views([created]))[0];
  }

  async changeRole(
    principal: UserPrincipal,
    slug: string,
    accessId: string,
    role: RoomRole,
  ): Promise<RoomAccessView> {
    const { room } = await this.access.requireRole(principal, slug, MODERATOR_ROLES);
    const updated = await this.accesses.withOwnersLocked(room.id, async (locked) => {
      const target = await this.targetOf(locked, accessId);
      // The caller's role is read again under the lock: it may have just changed.
      const caller = await locked.findForUser(principal.userId);
      if (!caller || !MODERATOR_ROLES.includes(caller.role)) throw RoomsErrors.forbidden();
      if (caller.role !== 'owner' && (target.role === 'owner' || role === 'owner'))
        throw RoomsErrors.roleNotAllowed();
      if (target.role === role) return target;
      if (target.role === 'owner') this.keepAnOwner(locked, target);
      return locked.setRole(target.id, role);
    });
    this.emitChanged(room, updated.userId, updated.role);
    return (await this.views([updated]))[0];
  }

  async remove(principal: UserPrincipal, slug: string, accessId: string): Promise<void> {
    // Members may see this route only to leave the room themselves.
    const { room } = await this.access.requireRole(principal, slug, ALL_ROLES);
    const removed = await this.accesses.withOwnersLocked(room.id, async (locked) => {
      const target = await this.targetOf(locked, accessId);
      const caller = await locked.findForUser(principal.userId);
      if (!caller) throw RoomsErrors.forbidden();
      const self = target.userId === principal.userId;
      if (!self) {
        if (!MODERATOR_ROLES.includes(caller.role)) throw RoomsErrors.forbidden();
        if (caller.role !== 'owner' && target.role === 'owner') throw RoomsErrors.roleNotAllowed();
      }
      if (target.role === 'owner') this.keepAnOwner(locked, target);
      await locked.remove(target.id);
      return target;
    });
    this.emitChanged(room, removed.userId, null);
  }

  private async targetOf(locked: LockedRoomAccesses, accessId: string): Promise<RoomAccessEntity> {
    const target = await locked.findById(accessId);
    if (!target) throw RoomsErrors.accessNotFound();
    return target;
  }

  /** `target` (an owner) is about to lose the role: another owner must remain. */
  private keepAnOwner(locked: LockedRoomAccesses, target: RoomAccessEntity): void {
    if (!locked.owners.some((o) => o.id !== target.id)) throw RoomsErrors.lastOwner();
  }

  private async views(rows: RoomAccessEntity[]): Promise<RoomAccessView[]> {
    const users = new Map(
      (await this.users.findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]),
    );
    return rows.map((r) => {
      const u = users.get(r.userId);
      return {
        id: r.id,
        userId: r.userId,
        role: r.role,
        user: u ? { displayName: u.displayName, email: u.email, pending: u.pending } : null,
        createdAt: r.createdAt.toISOString(),
      };
    });
  }

  private emitChanged(room: RoomView, userId: string, role: RoomRole | null): void {
    this.events.emit('room.access.changed', {
      roomId: room.id,
      slug: room.slug,
      userId,
      role,
    } satisfies RoomAccessChangedEvent);
  }
}
