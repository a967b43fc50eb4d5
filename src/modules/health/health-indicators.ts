import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';

export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

/**
 * Readiness checks. Other modules (media) register theirs with `register()`
 * so that /health/ready covers them without this module knowing them.
 */
@Injectable()
export class HealthIndicators {
  private readonly checks: ReadinessCheck[] = [];

  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly client: Redis,
  ) {}

  register(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  extra(): ReadinessCheck[] {
    return [...this.checks];
  }

  async redis(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timeout')), 1500)),
      ]);
      return pong === 'PONG' ? check.up() : check.down({ message: `unexpected reply ${pong}` });
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  /** Helper for modules registering a check. */
  result(key: string, up: boolean, info: Record<string, unknown> = {}): HealthIndicatorResult {
    const check = this.indicator.check(key);
    return up ? check.up(info) : check.down(info);
  }
}
