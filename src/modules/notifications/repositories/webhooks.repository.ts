import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';

export interface DeliveryFilter {
  applicationId?: string;
  endpointId?: string;
  status?: string;
  limit: number;
  offset: number;
}

@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectRepository(WebhookEndpointEntity)
    private readonly endpoints: Repository<WebhookEndpointEntity>,
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  createEndpoint(
    values: Pick<WebhookEndpointEntity, 'applicationId' | 'url' | 'secret' | 'events'>,
  ): Promise<WebhookEndpointEntity> {
    return this.endpoints.save(this.endpoints.create(values));
  }

  listEndpoints(applicationId: string): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({
      where: { applicationId, active: true },
      order: { createdAt: 'ASC' },
    });
  }

  findEndpoint(id: string): Promise<WebhookEndpointEntity | null> {
    return this.endpoints.findOneBy({ id });
  }

  async deactivateEndpoint(applicationId: string, id: string): Promise<boolean> {
    const r = await this.endpoints.update({ id, applicationId, active: true }, { active: false });
    return (r.affected ?? 0) > 0;
  }

  /** Active endpoints subscribed to `event`, of one application or of all. */
  subscribers(applicationId: string | null, event: string): Promise<WebhookEndpointEntity[]> {
    const q = this.endpoints
      .createQueryBuilder('e')
      .where('e.active AND :event = ANY(e.events)', { event });
    if (applicationId) q.andWhere('e.application_id = :applicationId', { applicationId });
    return q.getMany();
  }

  createDeliveries(
    rows: Array<Pick<WebhookDeliveryEntity, 'endpointId' | 'event' | 'payload'>>,
  ): Promise<WebhookDeliveryEntity[]> {
    return rows.length
      ? this.deliveries.save(rows.map((r) => this.deliveries.create(r)))
      : Promise.resolve([]);
  }

  /** Deliveries still pending after `olderThan` (their job may have been lost): re-enqueued at boot. */
  findPendingDeliveries(olderThan: Date, limit: number): Promise<WebhookDeliveryEntity[]> {
    return this.deliveries
      .createQueryBuilder('d')
      .where(`d.status = 'pending' AND d.created_at < :olderThan`, { olderThan })
      .orderBy('d.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  findDelivery(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  async recordAttempt(
    id: string,
    outcome: {
      delivered: boolean;
      statusCode: number | null;
      error: string | null;
      final: boolean;
      nextAttemptAt: Date | null;
    },
  ): Promise<void> {
    await this.deliveries
      .createQueryBuilder()
      .update()
      .set({
        attempts: () => 'attempts + 1',
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error?.slice(0, 2000) ?? null,
        status: outcome.delivered ? 'delivered' : outcome.final ? 'failed' : 'pending',
        deliveredAt: outcome.delivered ? () => 'now()' : undefined,
        nextAttemptAt: outcome.nextAttemptAt,
      })
      .where('id = :id', { id })
      .execute();
  }

  async listDeliveries(f: DeliveryFilter): Promise<{
    items: Array<WebhookDeliveryEntity & { applicationId: string; url: string }>;
    total: number;
  }> {
    const q = this.deliveries
      .createQueryBuilder('d')
      .innerJoin(WebhookEndpointEntity, 'e', 'e.id = d.endpoint_id')
      .addSelect('e.application_id', 'endpoint_application_id')
      .addSelect('e.url', 'endpoint_url');
    if (f.applicationId) q.andWhere('e.application_id = :a', { a: f.applicationId });
    if (f.endpointId) q.andWhere('d.endpoint_id = :e', { e: f.endpointId });
    if (f.status) q.andWhere('d.status = :s', { s: f.status });
    const total = await q.getCount();
    const { entities, raw } = await q
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .offset(f.offset)
      .limit(f.limit)
      .getRawAndEntities();
    const items = entities.map((d) => {
      const row = raw.find((r: Record<string, unknown>) => r.d_id === d.id);
      return Object.assign(d, {
        applicationId: row?.endpoint_application_id as string,
        url: row?.endpoint_url as string,
      });
    });
    return { items, total };
  }
}
