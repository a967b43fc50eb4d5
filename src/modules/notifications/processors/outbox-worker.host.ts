import { WorkerHost } from '@nestjs/bullmq';
import type { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../../../config/app-config';

/** Rows pending longer than this without being sent are taken as having lost their job. */
const STALE_AFTER_MS = 10 * 60_000;

/**
 * A BullMQ worker over an outbox table (mail, webhook deliveries). It runs
 * in the `worker` and `all` roles only, and at start re-enqueues the rows
 * whose job never reached Redis (enqueue failed after the insert, or Redis
 * lost it); the jobId dedups those whose job still exists.
 */
export abstract class OutboxWorkerHost extends WorkerHost implements OnApplicationBootstrap {
  protected abstract readonly logger: Logger;
  protected abstract readonly config: AppConfig;

  /** Ids of the rows still pending since before `olderThan`, oldest first. */
  protected abstract stalePendingIds(olderThan: Date, limit: number): Promise<string[]>;
  /** (Re)schedules the job of one row. */
  protected abstract schedule(id: string): Promise<void>;

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.APP_ROLE === 'api') return;
    void this.worker
      .run()
      .catch((e) => this.logger.error(`worker stopped: ${(e as Error).message}`));
    for (const id of await this.stalePendingIds(new Date(Date.now() - STALE_AFTER_MS), 500)) {
      await this.schedule(id).catch(() => undefined);
    }
  }
}
