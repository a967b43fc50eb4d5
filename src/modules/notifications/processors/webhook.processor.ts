import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';
import { WEBHOOK_QUEUE, type WebhookJob } from '../notifications.types';
import { WebhooksRepository } from '../repositories/webhooks.repository';
import { allowPrivateTargets, webhookBody, WebhooksService } from '../services/webhooks.service';
import { postWebhook } from '../webhook-target';
import { OutboxWorkerHost } from './outbox-worker.host';
import { SIGNATURE_HEADER, signWebhook } from '../webhook-signature';

/** POSTs signed deliveries; a non-2xx answer or a network error throws, so BullMQ retries with backoff. */
@Processor(WEBHOOK_QUEUE, { autorun: false })
export class WebhookProcessor extends OutboxWorkerHost {
  protected readonly logger = new Logger('WebhookProcessor');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly webhooks: WebhooksService,
    protected readonly config: AppConfig,
  ) {
    super();
  }

  protected async stalePendingIds(olderThan: Date, limit: number): Promise<string[]> {
    return (await this.repo.findPendingDeliveries(olderThan, limit)).map((row) => row.id);
  }

  protected schedule(id: string): Promise<void> {
    return this.webhooks.schedule(id);
  }

  async process(job: Job<WebhookJob>): Promise<void> {
    const delivery = await this.repo.findDelivery(job.data.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    const endpoint = await this.repo.findEndpoint(delivery.endpointId);
    const attempt = job.attemptsMade + 1;
    const final = attempt >= (job.opts.attempts ?? 1);
    if (!endpoint?.active) {
      await this.repo.recordAttempt(delivery.id, {
        delivered: false,
        statusCode: null,
        error: 'endpoint removed',
        final: true,
        nextAttemptAt: null,
      });
      return;
    }
    const body = webhookBody(delivery);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await postWebhook(
        endpoint.url,
        {
          'content-type': 'application/json',
          'user-agent': 'Visio-Webhooks/1',
          [SIGNATURE_HEADER]: signWebhook(endpoint.secret, body, Math.floor(Date.now() / 1000)),
          'Visio-Event': delivery.event,
          'Visio-Delivery': delivery.id,
          'Visio-Attempt': String(attempt),
          'Idempotency-Key': delivery.id,
          'x-request-id': randomUUID(),
        },
        body,
        {
          timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
          allowPrivate: allowPrivateTargets(this.config),
        },
      );
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timeout' : (e as Error).message;
    }
    const delay = this.config.WEBHOOK_BACKOFF_MS * 2 ** (attempt - 1);
    await this.repo.recordAttempt(delivery.id, {
      delivered: error === null,
      statusCode,
      error,
      final: error !== null && final,
      nextAttemptAt: error !== null && !final ? new Date(Date.now() + delay) : null,
    });
    if (error !== null)
      throw new Error(`webhook ${delivery.id} to endpoint ${endpoint.id}: ${error}`);
  }
}
