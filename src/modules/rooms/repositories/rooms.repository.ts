import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { RoomAccessEntity, type RoomRole } from '../entities/room-access.entity';
import { RoomEntity, type RoomAccessLevel } from '../entities/room.entity';

export interface NewRoom {
  slug: string;
  name: string;
  accessLevel: RoomAccessLevel;
  maxParticipants: number;
  configuration: Record<string, unknown>;
  createdBy: string;
}

export type RoomPatch = Partial<
  Pick<RoomEntity, 'name' | 'accessLevel' | 'maxParticipants' | 'configuration'>
>;

@Injectable()
export class RoomsRepository {
  constructor(@InjectRepository(RoomEntity) private readonly repo: Repository<RoomEntity>) {}

  findById(id: string): Promise<RoomEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findBySlug(slug: string): Promise<RoomEntity | null> {
    return this.repo.findOneBy({ slug });
  }

  /**
   * Inserts the room and its owner's access in one transaction. Returns null
   * when the slug is taken (ON CONFLICT, so the transaction stays usable and
   * the caller can retry with another slug).
   */
  createWithOwner(values: NewRoom, ownerUserId: string): Promise<RoomEntity | null> {
    return this.repo.manager.transaction(async (tx: EntityManager) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(RoomEntity)
        .values(values as any)
        .orIgnore()
        .returning(['id'])
        .execute();
      const id = (inserted.raw as Array<{ id: string }>)[0]?.id;
      if (!id) return null;
      await tx.insert(RoomAccessEntity, { roomId: id, userId: ownerUserId, role: 'owner' });
      return tx.findOneByOrFail(RoomEntity, { id });
    });
  }

  /** The rooms a user holds an access to, newest first, with their role. */
  async listForUser(
    userId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: Array<{ room: RoomEntity; role: RoomRole }>; total: number }> {
    const qb = this.repo
      .createQueryBuilder('r')
      .innerJoin(RoomAccessEntity, 'a', 'a.room_id = r.id AND a.user_id = :userId', { userId })
      .addSelect('a.role', 'access_role')
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit)
      .offset(offset);
    const [{ entities, raw }, total] = await Promise.all([qb.getRawAndEntities(), qb.getCount()]);
    const roles = new Map(
      (raw as Array<{ r_id: string; access_role: RoomRole }>).map((x) => [x.r_id, x.access_role]),
    );
    return { items: entities.map((room) => ({ room, role: roles.get(room.id)! })), total };
  }

  async update(id: string, patch: RoomPatch): Promise<RoomEntity> {
    await this.repo.update({ id }, patch as any);
    return this.repo.findOneByOrFail({ id });
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.repo.delete({ id });
    return (res.affected ?? 0) > 0;
  }
}
