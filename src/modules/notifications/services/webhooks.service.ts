import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { atMost } from '../../../common/redis/bounded';
import { AppError } from '../../../common/errors/app-error';
import { assertAllowedTarget, ForbiddenTargetError } from '../webhook-target';
import { AppConfig } from '../../../config/app-config';
import type { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import type { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import {
  ENQUEUE_WAIT_MS,
  WEBHOOK_QUEUE,
  type WebhookEvent,
  type WebhookJob,
} from '../notifications.types';
import { WebhooksRepository, type DeliveryFilter } from '../repositories/webhooks.repository';

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  applicationId?: string;
  url?: string;
  event: string;
  payload: unknown;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

const toEndpointView = (e: WebhookEndpointEntity): WebhookEndpointView => ({
  id: e.id,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt.toISOString(),
});

const toDeliveryView = (
  d: WebhookDeliveryEntity & { applicationId?: string; url?: string },
): WebhookDeliveryView => ({
  id: d.id,
  endpointId: d.endpointId,
  applicationId: d.applicationId,
  url: d.url,
  event: d.event,
  payload: d.payload,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
});

/** The body an endpoint receives (and the signature covers): fixed at publication, identical on every retry. */
export function webhookBody(
  d: Pick<WebhookDeliveryEntity, 'id' | 'event' | 'payload' | 'createdAt'>,
): string {
  return JSON.stringify({
    id: d.id,
    event: d.event,
    createdAt: d.createdAt.toISOString(),
    data: d.payload,
  });
}

/** Signed outbound webhooks for every module: endpoints of applications, deliveries by the `webhooks` queue. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhooksRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    private readonly config: AppConfig,
  ) {}

  /**
   * Records one delivery per subscribed endpoint (of `applicationId`, or of
   * every application for 'all') and schedules them. Returns the delivery ids.
   */
  async publish(
    applicationId: string | 'all',
    event: WebhookEvent,
    payload: unknown,
  ): Promise<string[]> {
    const endpoints = await this.repo.subscribers(
      applicationId === 'all' ? null : applicationId,
      event,
    );
    const deliveries = await this.repo.createDeliveries(
      endpoints.map((e) => ({ endpointId: e.id, event, payload })),
    );
    for (const d of deliveries) await this.schedule(d.id);
    return deliveries.map((d) => d.id);
  }

  async schedule(deliveryId: string): Promise<void> {
    const job = await atMost(
      this.queue.add(
        'deliver',
        { deliveryId },
        {
          jobId: `webhook-${deliveryId}`,
          attempts: this.config.WEBHOOK_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
        },
      ),
      ENQUEUE_WAIT_MS,
    );
    if (!job)
      this.logger.warn(`Redis is not answering: webhook ${deliveryId} is queued when it is back`);
  }

  /** Registers an endpoint; the signing secret is in this answer only. */
  async createEndpoint(
    applicationId: string,
    input: { url: string; events: WebhookEvent[] },
  ): Promise<WebhookEndpointView & { secret: string }> {
    const url = new URL(input.url);
    if (this.config.NODE_ENV === 'production' && url.protocol !== 'https:') {
      throw AppError.badRequest('webhook_url_insecure', 'Webhook endpoints must use https');
    }
    if (url.username || url.password) {
      throw AppError.badRequest('webhook_url_credentials', 'Webhook URLs cannot carry credentials');
    }
    try {
      await assertAllowedTarget(url, allowPrivateTargets(this.config));
    } catch (e) {
      if (e instanceof ForbiddenTargetError) {
        throw AppError.badRequest(
          'webhook_target_forbidden',
          `Webhook endpoints cannot target private addresses: ${e.message}`,
        );
      }
      throw AppError.badRequest(
        'webhook_host_unresolvable',
        `The webhook host does not resolve: ${url.hostname}`,
      );
    }
    if ((await this.repo.listEndpoints(applicationId)).length >= 20) {
      throw AppError.badRequest(
        'webhook_endpoint_limit',
        'At most 20 webhook endpoints per application',
      );
    }
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const e = await this.repo.createEndpoint({
      applicationId,
      url: url.toString(),
      secret,
      events: [...new Set(input.events)],
    });
    return { ...toEndpointView(e), secret };
  }

  async listEndpoints(applicationId: string): Promise<WebhookEndpointView[]> {
    return (await this.repo.listEndpoints(applicationId)).map(toEndpointView);
  }

  /** Stops deliveries to the endpoint (pending ones fail); 404 for another application's endpoint. */
  async deleteEndpoint(applicationId: string, id: string): Promise<void> {
    if (!(await this.repo.deactivateEndpoint(applicationId, id))) {
      throw AppError.notFound('webhook_endpoint_not_found', 'No such webhook endpoint');
    }
  }

  /** The delivery log: platform admins see all (optionally filtered), an application its own. */
  async listDeliveries(
    f: DeliveryFilter,
  ): Promise<{ items: WebhookDeliveryView[]; total: number; limit: number; offset: number }> {
    const { items, total } = await this.repo.listDeliveries(f);
    return { items: items.map(toDeliveryView), total, limit: f.limit, offset: f.offset };
  }
}

/** Private targets are refused in production unless WEBHOOK_ALLOW_PRIVATE_TARGETS says otherwise. */
export function allowPrivateTargets(config: AppConfig): boolean {
  return config.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? config.NODE_ENV !== 'production';
}
