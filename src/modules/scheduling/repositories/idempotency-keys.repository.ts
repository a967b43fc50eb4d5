import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity';

export type IdempotencyClaim = { claimed: true } | { claimed: false; row: IdempotencyKeyEntity };

@Injectable()
export class IdempotencyKeysRepository {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>,
  ) {}

  /**
   * Claims (application, key) for a request (committed at once, so parallel
   * requests see it), or returns the row of the request that holds it. An
   * expired row, or an abandoned claim (no answer after `staleSeconds`), is
   * replaced.
   */
  async claim(
    applicationId: string,
    key: string,
    requestHash: string,
    ttlHours: number,
    staleSeconds: number,
  ): Promise<IdempotencyClaim> {
    await this.repo.query(
      `DELETE FROM idempotency_keys WHERE application_id = $1 AND key = $2
         AND (created_at < now() - make_interval(hours => $3)
              OR (response_status IS NULL AND created_at < now() - make_interval(secs => $4)))`,
      [applicationId, key, ttlHours, staleSeconds],
    );
    const inserted: unknown[] = await this.repo.query(
      `INSERT INTO idempotency_keys (application_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (application_id, key) DO NOTHING RETURNING key`,
      [applicationId, key, requestHash],
    );
    if (inserted.length) return { claimed: true };
    const row = await this.find(applicationId, key);
    // Deleted between the two statements (expired or released): try once more.
    if (!row) return this.claim(applicationId, key, requestHash, ttlHours, staleSeconds);
    return { claimed: false, row };
  }

  find(applicationId: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return this.repo.findOneBy({ applicationId, key });
  }

  async complete(applicationId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.repo.update(
      { applicationId, key },
      { responseStatus: status, responseBody: body as object },
    );
  }

  /** Frees the key after an unexpected failure so that a retry runs again. */
  async release(applicationId: string, key: string): Promise<void> {
    await this.repo.delete({ applicationId, key, responseStatus: IsNull() });
  }

  async purgeExpired(ttlHours: number): Promise<number> {
    const r = await this.repo.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
      [ttlHours],
    );
    return Array.isArray(r) ? Number(r[1] ?? 0) : 0;
  }
}
