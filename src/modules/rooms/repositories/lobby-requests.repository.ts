import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LobbyRequestEntity } from '../entities/lobby-request.entity';

/** Who asks to enter: an agent, or a guest by their guest session. */
export type LobbyRequester =
  { userId: string; guestSessionId?: undefined } | { guestSessionId: string; userId?: undefined };

const requesterWhere = (r: LobbyRequester) =>
  r.userId ? { userId: r.userId } : { guestSessionId: r.guestSessionId };

@Injectable()
export class LobbyRequestsRepository {
  constructor(
    @InjectRepository(LobbyRequestEntity) private readonly repo: Repository<LobbyRequestEntity>,
  ) {}

  findById(roomId: string, id: string): Promise<LobbyRequestEntity | null> {
    return this.repo.findOneBy({ id, roomId });
  }

  /** The requester's most recent request in the room (the one that counts). */
  latestFor(roomId: string, requester: LobbyRequester): Promise<LobbyRequestEntity | null> {
    return this.repo.findOne({
      where: { roomId, ...requesterWhere(requester) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /**
   * Marks the requester's waiting rows past their expiry as expired, so the
   * partial unique index (one waiting row per requester) admits a new one.
   */
  async expireWaiting(roomId: string, requester: LobbyRequester): Promise<void> {
    const qb = this.repo
      .createQueryBuilder()
      .update(LobbyRequestEntity)
      .set({ status: 'expired' })
      .where("room_id = :roomId AND status = 'waiting' AND expires_at <= now()", { roomId });
    if (requester.userId) qb.andWhere('user_id = :userId', { userId: requester.userId });
    else
      qb.andWhere('guest_session_id = :guestSessionId', {
        guestSessionId: requester.guestSessionId,
      });
    await qb.execute();
  }

  /** Inserts a waiting row; null when the requester already has one (idempotent ask). */
  async insertWaiting(
    roomId: string,
    requester: LobbyRequester,
    displayName: string,
    ttlSeconds: number,
  ): Promise<LobbyRequestEntity | null> {
    const res = await this.repo
      .createQueryBuilder()
      .insert()
      .into(LobbyRequestEntity)
      .values({
        roomId,
        userId: requester.userId ?? null,
        guestSessionId: requester.guestSessionId ?? null,
        displayName,
        status: 'waiting',
        expiresAt: () => `now() + make_interval(secs => ${Number(ttlSeconds)})`,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (res.raw as Array<{ id: string }>)[0]?.id;
    return id ? this.repo.findOneByOrFail({ id }) : null;
  }

  /** Live waiting requests of a room, oldest first. */
  listWaiting(roomId: string, limit: number): Promise<LobbyRequestEntity[]> {
    return this.repo
      .createQueryBuilder('l')
      .where("l.room_id = :roomId AND l.status = 'waiting' AND l.expires_at > now()", { roomId })
      .orderBy('l.created_at', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Decides a live waiting request in one conditional UPDATE, so two
   * moderators deciding at once cannot both win. Null when it was not live
   * and waiting any more.
   */
  async decide(
    roomId: string,
    id: string,
    status: 'admitted' | 'denied',
    decidedBy: string,
    validForSeconds: number,
  ): Promise<LobbyRequestEntity | null> {
    const res = await this.repo
      .createQueryBuilder()
      .update(LobbyRequestEntity)
      .set({
        status,
        decidedBy,
        decidedAt: () => 'now()',
        expiresAt: () => `now() + make_interval(secs => ${Number(validForSeconds)})`,
      })
      .where("id = :id AND room_id = :roomId AND status = 'waiting' AND expires_at > now()", {
        id,
        roomId,
      })
      .returning(['id'])
      .execute();
    const row = (res.raw as Array<{ id: string }>)[0];
    return row ? this.repo.findOneByOrFail({ id: row.id }) : null;
  }

  /** Drops a room's requests that expired more than a day ago (history kept briefly for support). */
  async purgeExpired(roomId: string): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .delete()
      .from(LobbyRequestEntity)
      .where("room_id = :roomId AND expires_at < now() - interval '1 day'", { roomId })
      .execute();
  }
}
