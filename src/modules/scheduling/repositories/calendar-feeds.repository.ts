import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CalendarFeedTokenEntity } from '../entities/calendar-feed-token.entity';

@Injectable()
export class CalendarFeedsRepository {
  constructor(
    @InjectRepository(CalendarFeedTokenEntity)
    private readonly repo: Repository<CalendarFeedTokenEntity>,
  ) {}

  /** One feed per user: creating again replaces (rotates) the token. */
  async put(userId: string, tokenHash: Buffer): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(CalendarFeedTokenEntity)
      .values({ userId, tokenHash })
      .orUpdate(['token_hash', 'created_at'], ['user_id'])
      .execute();
  }

  async remove(userId: string): Promise<boolean> {
    const r = await this.repo.delete({ userId });
    return (r.affected ?? 0) > 0;
  }

  async userIdFor(tokenHash: Buffer): Promise<string | null> {
    return (await this.repo.findOneBy({ tokenHash }))?.userId ?? null;
  }

  async find(userId: string): Promise<CalendarFeedTokenEntity | null> {
    return this.repo.findOneBy({ userId });
  }
}
