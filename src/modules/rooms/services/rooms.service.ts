import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomInt } from 'node:crypto';
import { parseWith } from '../../../common/http/validation';
import { AppConfig } from '../../../config/app-config';
import {
  createRoomSchema,
  RESERVED_SLUGS,
  type CreateRoomInput,
  type UpdateRoomInput,
} from '../dto/rooms.dto';
import type { RoomRole } from '../entities/room-access.entity';
import type { RoomEntity } from '../entities/room.entity';
import { RoomsRepository } from '../repositories/rooms.repository';
import { RoomsErrors } from '../rooms.errors';
import type { RoomDeletedEvent, RoomUpdatedEvent } from '../rooms.events';
import { toRoomView, type MyRoomView, type RoomView } from '../rooms.views';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const randomLetters = (n: number) =>
  Array.from({ length: n }, () => LETTERS[randomInt(26)]).join('');

/** A fresh `abc-defg-hij` slug (26^10 ≈ 1.4·10^14 possibilities: not guessable). */
export function generateSlug(): string {
  return `${randomLetters(3)}-${randomLetters(4)}-${randomLetters(3)}`;
}

const GENERATION_ATTEMPTS = 8;

export interface RoomPage {
  items: MyRoomView[];
  total: number;
  limit: number;
  offset: number;
  nextOffset: number | null;
}

@Injectable()
export class RoomsService {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Creates a room owned by `ownerUserId` (also how scheduling creates a
   * meeting's room). Validates `input` itself, so non-HTTP callers get the
   * same 400s: a custom slug must be well formed and not reserved (400
   * `slug_reserved`) and free (409 `slug_taken`).
   */
  async createForOwner(
    ownerUserId: string,
    input: {
      name: string;
      accessLevel?: 'public' | 'trusted' | 'restricted';
      slug?: string;
      maxParticipants?: number;
      configuration?: object;
    },
  ): Promise<RoomView> {
    const v: CreateRoomInput = parseWith(createRoomSchema, input);
    const values = {
      name: v.name,
      accessLevel: v.accessLevel ?? 'trusted',
      maxParticipants: v.maxParticipants ?? this.config.ROOM_DEFAULT_MAX_PARTICIPANTS,
      configuration: v.configuration ?? {},
      createdBy: ownerUserId,
    };
    if (v.slug !== undefined) {
      if (RESERVED_SLUGS.has(v.slug)) throw RoomsErrors.slugReserved(v.slug);
      const room = await this.rooms.createWithOwner({ ...values, slug: v.slug }, ownerUserId);
      if (!room) throw RoomsErrors.slugTaken();
      return this.view(room);
    }
    for (let attempt = 0; attempt < GENERATION_ATTEMPTS; attempt++) {
      const room = await this.rooms.createWithOwner(
        { ...values, slug: generateSlug() },
        ownerUserId,
      );
      if (room) return this.view(room);
    }
    // Only reachable if the slug space is nearly full, or the random source is broken.
    throw new Error('could not generate a free room slug');
  }

  async getById(id: string): Promise<RoomView> {
    const room = await this.rooms.findById(id);
    if (!room) throw RoomsErrors.roomNotFound();
    return this.view(room);
  }

  /** The room by slug; 404 `room_not_found`. */
  async getBySlug(slug: string): Promise<RoomView> {
    const room = await this.rooms.findBySlug(slug);
    if (!room) throw RoomsErrors.roomNotFound();
    return this.view(room);
  }

  /** The participant cap the media layer enforces at join. */
  async maxParticipantsOf(roomId: string): Promise<number> {
    return (await this.getById(roomId)).maxParticipants;
  }

  /** The rooms a user holds an access to (any role), newest first. */
  async listForUser(userId: string, limit: number, offset: number): Promise<RoomPage> {
    const { items, total } = await this.rooms.listForUser(userId, limit, offset);
    return {
      items: items.map(({ room, role }) => ({ ...this.view(room), role })),
      total,
      limit,
      offset,
      nextOffset: offset + items.length < total ? offset + items.length : null,
    };
  }

  /** Callers check the caller's role first (RoomAccessService.requireRole). */
  async update(room: RoomView, patch: UpdateRoomInput, role: RoomRole): Promise<MyRoomView> {
    const updated = await this.rooms.update(room.id, patch);
    const view = this.view(updated);
    this.events.emit('room.updated', {
      roomId: view.id,
      slug: view.slug,
      accessLevel: view.accessLevel,
      maxParticipants: view.maxParticipants,
    } satisfies RoomUpdatedEvent);
    return { ...view, role };
  }

  async delete(room: RoomView): Promise<void> {
    if (!(await this.rooms.delete(room.id))) throw RoomsErrors.roomNotFound();
    this.events.emit('room.deleted', {
      roomId: room.id,
      slug: room.slug,
    } satisfies RoomDeletedEvent);
  }

  private view(room: RoomEntity): RoomView {
    return toRoomView(room, this.config.PUBLIC_URL);
  }
}
