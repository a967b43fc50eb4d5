import { BullModule } from '@nestjs/bullmq';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from './common/http/logger.module';
import { RedisThrottlerStorage } from './common/http/redis-throttler.storage';
import { redisOptions } from './common/redis/redis-options';
import { REDIS, RedisModule } from './common/redis/redis.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './modules/health/health.module';
import { domainModules } from './modules';

@Module({})
export class AppModule {
  /** The whole application for one configuration (and so one role). */
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule,
        RedisModule,
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE }),
          autoLoadEntities: true,
          // Readiness reports a lost database; the pool reconnects by itself.
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        BullModule.forRoot({
          prefix: `${config.REDIS_KEY_PREFIX}bull`,
          // Workers need maxRetriesPerRequest: null (BullMQ's rule); queues
          // used by requests get their own fail-fast connection below.
          connection: redisOptions(config.REDIS_URL, {
            maxRetriesPerRequest: null,
          }) as ConnectionOptions,
          defaultJobOptions: {
            attempts: 5,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: { age: 24 * 3600, count: 1000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        }),
        ThrottlerModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: Redis) => ({
            throttlers: [
              { ttl: config.RATE_LIMIT_TTL_SECONDS * 1000, limit: config.RATE_LIMIT_MAX },
            ],
            storage: new RedisThrottlerStorage(redis, config),
          }),
        }),
        EventEmitterModule.forRoot(),
        HealthModule,
        ...domainModules(config),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
