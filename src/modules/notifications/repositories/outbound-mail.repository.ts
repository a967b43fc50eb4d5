import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OutboundMailEntity } from '../entities/outbound-mail.entity';
import type { MailMessage } from '../notifications.types';

@Injectable()
export class OutboundMailRepository {
  constructor(
    @InjectRepository(OutboundMailEntity) private readonly repo: Repository<OutboundMailEntity>,
  ) {}

  create(message: MailMessage): Promise<OutboundMailEntity> {
    return this.repo.save(
      this.repo.create({ recipients: message.to, subject: message.subject, message }),
    );
  }

  findById(id: string): Promise<OutboundMailEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Messages still pending after `olderThan` (their job may have been lost): re-enqueued at boot. */
  findPending(olderThan: Date, limit: number): Promise<OutboundMailEntity[]> {
    return this.repo
      .createQueryBuilder('m')
      .where(`m.status = 'pending' AND m.created_at < :olderThan`, { olderThan })
      .orderBy('m.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  async recordAttempt(
    id: string,
    outcome: { sent: true; messageId: string } | { sent: false; error: string; final: boolean },
  ): Promise<void> {
    if (outcome.sent) {
      await this.repo
        .createQueryBuilder()
        .update()
        .set({
          status: 'sent',
          messageId: outcome.messageId,
          sentAt: () => 'now()',
          attempts: () => 'attempts + 1',
          lastError: null,
        })
        .where('id = :id', { id })
        .execute();
    } else {
      await this.repo
        .createQueryBuilder()
        .update()
        .set({
          status: outcome.final ? 'failed' : 'pending',
          lastError: outcome.error.slice(0, 2000),
          attempts: () => 'attempts + 1',
        })
        .where('id = :id', { id })
        .execute();
    }
  }
}
