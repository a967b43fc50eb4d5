import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { parseWith } from '../../../common/http/validation';
import { atMost } from '../../../common/redis/bounded';
import { AppConfig } from '../../../config/app-config';
import { OutboundMailRepository } from '../repositories/outbound-mail.repository';
import {
  ENQUEUE_WAIT_MS,
  MAIL_QUEUE,
  mailMessageSchema,
  type MailJob,
  type MailMessage,
} from '../notifications.types';

/** Outbound mail for every module: a row in the outbox, delivered by the `mail` queue with retries. */
@Injectable()
export class MailService {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly outbox: OutboundMailRepository,
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue<MailJob>,
    private readonly config: AppConfig,
  ) {}

  /** Stores the message and schedules its delivery; returns the outbox id. */
  async enqueue(message: MailMessage): Promise<string> {
    const m = parseWith(mailMessageSchema, message);
    const row = await this.outbox.create(m);
    await this.schedule(row.id);
    return row.id;
  }

  /** (Re)schedules delivery of an outbox row; the jobId makes it a no-op if already queued. */
  async schedule(mailId: string): Promise<void> {
    const job = await atMost(
      this.queue.add(
        'send',
        { mailId },
        {
          jobId: `mail-${mailId}`,
          attempts: this.config.MAIL_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.config.MAIL_BACKOFF_MS },
        },
      ),
      ENQUEUE_WAIT_MS,
    );
    if (!job) this.logger.warn(`Redis is not answering: mail ${mailId} is queued when it is back`);
  }
}
