import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../../../config/app-config';
import { MAIL_QUEUE, type MailJob } from '../notifications.types';
import { OutboundMailRepository } from '../repositories/outbound-mail.repository';
import { MailService } from '../services/mail.service';
import { MailTransportService } from '../services/mail-transport.service';

/** Delivers outbox rows. Runs in the `worker` and `all` roles only. */
@Processor(MAIL_QUEUE, { autorun: false })
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('MailProcessor');

  constructor(
    private readonly outbox: OutboundMailRepository,
    private readonly transport: MailTransportService,
    private readonly mail: MailService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.APP_ROLE === 'api') return;
    void this.worker
      .run()
      .catch((e) => this.logger.error(`mail worker stopped: ${(e as Error).message}`));
    // Rows whose job never made it to Redis (enqueue failed after the insert).
    for (const row of await this.outbox.findPending(new Date(Date.now() - 10 * 60_000), 500)) {
      await this.mail.schedule(row.id).catch(() => undefined);
    }
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
