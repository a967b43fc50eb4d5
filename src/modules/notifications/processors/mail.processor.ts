import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../../../config/app-config';
import { MAIL_QUEUE, type MailJob } from '../notifications.types';
import { OutboundMailRepository } from '../repositories/outbound-mail.repository';
import { MailService } from '../services/mail.service';
import { MailTransportService } from '../services/mail-transport.service';
import { OutboxWorkerHost } from './outbox-worker.host';

/** Delivers outbox rows. Runs in the `worker` and `all` roles only. */
@Processor(MAIL_QUEUE, { autorun: false })
export class MailProcessor extends OutboxWorkerHost {
  protected readonly logger = new Logger('MailProcessor');

  constructor(
    private readonly outbox: OutboundMailRepository,
    private readonly transport: MailTransportService,
    private readonly mail: MailService,
    protected readonly config: AppConfig,
  ) {
    super();
  }

  protected async stalePendingIds(olderThan: Date, limit: number): Promise<string[]> {
    return (await this.outbox.findPending(olderThan, limit)).map((row) => row.id);
  }

  protected schedule(id: string): Promise<void> {
    return this.mail.schedule(id);
  }

  async process(job: Job<MailJob>): Promise<void> {
    const row = await this.outbox.findById(job.data.mailId);
    if (!row || row.status === 'sent') return;
    try {
      const messageId = await this.transport.send(row.id, row.message);
      await this.outbox.recordAttempt(row.id, { sent: true, messageId });
    } catch (e) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.outbox.recordAttempt(row.id, { sent: false, error: (e as Error).message, final });
      this.logger.warn(
        `mail ${row.id} attempt ${job.attemptsMade + 1} failed: ${(e as Error).message}`,
      );
      throw e;
    }
  }
}
