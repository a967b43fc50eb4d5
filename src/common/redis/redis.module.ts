import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisOptions } from './redis-options';

/** Injection token of the shared command client (fails fast: for requests, not for workers). */
export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new Redis(
          redisOptions(config.REDIS_URL, {
            // A request should fail quickly when Redis is down, not hang.
            maxRetriesPerRequest: 1,
            enableOfflineQueue: false,
            lazyConnect: false,
          }),
        ),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // Connection errors are reported by the readiness check; don't crash.
    this.redis.on('error', () => undefined);
  }
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
