import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { RoomAccessEntity, type RoomRole } from '../entities/room-access.entity';

/** What a locked access transaction may do; the service decides which. */
export interface LockedRoomAccesses {
  /** The room's owner rows, locked (FOR UPDATE) until the transaction ends. */
  owners: RoomAccessEntity[];
  findById(accessId: string): Promise<RoomAccessEntity | null>;
  findForUser(userId: string): Promise<RoomAccessEntity | null>;
  setRole(accessId: string, role: RoomRole): Promise<RoomAccessEntity>;
  remove(accessId: string): Promise<void>;
}

@Injectable()
export class RoomAccessesRepository {
  constructor(
    @InjectRepository(RoomAccessEntity) private readonly repo: Repository<RoomAccessEntity>,
  ) {}

  findForUser(roomId: string, userId: string): Promise<RoomAccessEntity | null> {
    return this.repo.findOneBy({ roomId, userId });
  }

  listForRoom(roomId: string): Promise<RoomAccessEntity[]> {
    return this.repo.find({ where: { roomId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Adds an access; null when the user already holds one in this room. */
  async insert(roomId: string, userId: string, role: RoomRole): Promise<RoomAccessEntity | null> {
    const res = await this.repo
      .createQueryBuilder()
      .insert()
      .into(RoomAccessEntity)
      .values({ roomId, userId, role })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (res.raw as Array<{ id: string }>)[0]?.id;
    return id ? this.repo.findOneByOrFail({ id }) : null;
  }

  /**
   * Runs `fn` in a transaction holding row locks on every owner access of the
   * room (taken in id order, so concurrent changes queue instead of
   * deadlocking). Two concurrent demotions of the last two owners therefore
   * see each other's result: the second finds one owner left.
   */
  withOwnersLocked<T>(roomId: string, fn: (locked: LockedRoomAccesses) => Promise<T>): Promise<T> {
    return this.repo.manager.transaction(async (tx: EntityManager) => {
      const repo = tx.getRepository(RoomAccessEntity);
      const owners = await repo
        .createQueryBuilder('a')
        .where('a.room_id = :roomId AND a.role = :role', { roomId, role: 'owner' })
        .orderBy('a.id')
        .setLock('pessimistic_write')
        .getMany();
      return fn({
        owners,
        findById: (accessId) => repo.findOneBy({ id: accessId, roomId }),
        findForUser: (userId) => repo.findOneBy({ roomId, userId }),
        setRole: async (accessId, role) => {
          await repo.update({ id: accessId, roomId }, { role });
          return repo.findOneByOrFail({ id: accessId });
        },
        remove: async (accessId) => {
          await repo.delete({ id: accessId, roomId });
        },
      });
    });
  }
}
