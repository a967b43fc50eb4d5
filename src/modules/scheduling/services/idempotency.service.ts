import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppError } from '../../../common/errors/app-error';
import { toErrorBody } from '../../../common/errors/error-response';
import { AppConfig } from '../../../config/app-config';
import { IdempotencyKeysRepository } from '../repositories/idempotency-keys.repository';

export interface IdempotentRequest {
  applicationId: string;
  key: string;
  /** What identifies the request: method, route and target, body. */
  fingerprint: unknown;
}

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/** Sorted-keys JSON: the same body in another key order is the same request. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const STALE_SECONDS = 60;
const WAIT_MS = 15_000;

/**
 * `Idempotency-Key` of the booking API, per application, kept
 * IDEMPOTENCY_KEY_TTL_HOURS. The first request claims the key (a committed
 * row); the same key with the same request waits for and returns the first
 * answer (errors included); with another request it is 422
 * `idempotency_key_reused`.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly keys: IdempotencyKeysRepository,
    private readonly config: AppConfig,
  ) {}

  static readonly KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

  async run<T>(
    req: IdempotentRequest | null,
    status: number,
    work: () => Promise<T>,
  ): Promise<StoredResponse<T>> {
    if (!req) return { status, body: await work(), replayed: false };
    if (!IdempotencyService.KEY_PATTERN.test(req.key)) {
      throw AppError.badRequest(
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
      );
    }
    const hash = createHash('sha256').update(canonical(req.fingerprint)).digest('hex');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const claim = await this.keys.claim(
        req.applicationId,
        req.key,
        hash,
        this.config.IDEMPOTENCY_KEY_TTL_HOURS,
        STALE_SECONDS,
      );
      if (claim.claimed) break;
      const row = claim.row;
      if (row.requestHash !== hash) {
        throw new AppError(
          'idempotency_key_reused',
          'This Idempotency-Key was used for a different request',
          422,
        );
      }
      if (row.responseStatus !== null) return this.replay<T>(row.responseStatus, row.responseBody);
      if (Date.now() > deadline) {
        throw AppError.conflict(
          'idempotency_key_in_progress',
          'A request with this Idempotency-Key is still being processed',
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    try {
      const body = await work();
      await this.keys.complete(req.applicationId, req.key, status, body);
      return { status, body, replayed: false };
    } catch (e) {
      const { status: errorStatus, body, unexpected } = toErrorBody(e);
      // Client errors are answers too (a retry gets the same); unexpected failures free the key.
      if (unexpected || errorStatus >= 500)
        await this.keys.release(req.applicationId, req.key).catch(() => undefined);
      else
        await this.keys
          .complete(req.applicationId, req.key, errorStatus, body)
          .catch(() => undefined);
      throw e;
    }
  }

  private replay<T>(status: number, body: unknown): StoredResponse<T> {
    if (status >= 400) {
      const b = body as { code: string; message: string; details?: unknown };
      throw new AppError(b.code, b.message, status, b.details);
    }
    return { status, body: body as T, replayed: true };
  }

  onModuleInit(): void {
    // Expired keys are already ignored; this only keeps the table small.
    this.purgeTimer = setInterval(() => void this.purgeExpired().catch(() => undefined), 3600_000);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  purgeExpired(): Promise<number> {
    return this.keys.purgeExpired(this.config.IDEMPOTENCY_KEY_TTL_HOURS);
  }
}
