import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { SessionEntity } from '../entities/session.entity';

@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(SessionEntity) private readonly repo: Repository<SessionEntity>) {}

  insert(values: Partial<SessionEntity>): Promise<SessionEntity> {
    return this.repo.save(this.repo.create(values));
  }

  /** A live (not revoked, not expired, not idle) session by token hash. */
  findLive(tokenHash: Buffer, idleSince: Date): Promise<SessionEntity | null> {
    return this.repo
      .createQueryBuilder('s')
      .where('s.token_hash = :tokenHash', { tokenHash })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > now()')
      .andWhere('s.last_seen_at > :idleSince', { idleSince })
      .getOne();
  }

  async touch(id: string): Promise<void> {
    await this.repo.update({ id }, { lastSeenAt: () => 'now()' } as any);
  }

  listLiveForUser(userId: string): Promise<SessionEntity[]> {
    return this.repo
      .createQueryBuilder('s')
      .where('s.user_id = :userId', { userId })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > now()')
      .orderBy('s.last_seen_at', 'DESC')
      .getMany();
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Revokes one session of a user; false when none matched. */
  async revokeForUser(userId: string, id: string): Promise<boolean> {
    const res = await this.repo.update({ id, userId, revokedAt: IsNull() }, {
      revokedAt: () => 'now()',
    } as any);
    return (res.affected ?? 0) > 0;
  }

  async revoke(id: string): Promise<void> {
    await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' } as any);
  }
}
