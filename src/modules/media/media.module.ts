import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { HealthIndicators } from '../health/health-indicators';
import { MediaRoomRegistry } from './media-room.registry';
import { MediaWorkerPool } from './media-worker.pool';
import { MEDIA_SETTINGS, resolveMediaSettings } from './media.config';
import { RoomNodeRegistry } from './room-node.registry';

/**
 * The embedded SFU: mediasoup workers, a router per active room, and the
 * room → node assignment in Redis. Loaded by the `api` and `all` roles.
 */
@Module({
  providers: [
    { provide: MEDIA_SETTINGS, inject: [AppConfig], useFactory: resolveMediaSettings },
    MediaWorkerPool,
    RoomNodeRegistry,
    MediaRoomRegistry,
  ],
  exports: [MEDIA_SETTINGS, MediaWorkerPool, RoomNodeRegistry, MediaRoomRegistry],
})
export class MediaModule {
  constructor(health: HealthIndicators, pool: MediaWorkerPool) {
    // Ready only with every worker up: a node short of workers sheds load elsewhere.
    health.register(async () => {
      const status = pool.status();
      return health.result('media', status.up, { ...status });
    });
  }
}
