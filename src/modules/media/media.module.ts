import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { HealthIndicators } from '../health/health-indicators';
import { IdentityModule } from '../identity/identity.module';
import { RoomsModule } from '../rooms/rooms.module';
import { MediaGateway } from './gateways/media.gateway';
import { MediaRoomRegistry } from './media-room.registry';
import { MediaWorkerPool } from './media-worker.pool';
import {
  MEDIA_SETTINGS,
  resolveMediaSettings,
  resolveSignallingSettings,
  SIGNALLING_SETTINGS,
} from './media.config';
import { RoomNodeRegistry } from './room-node.registry';
import { MediaSignallingService } from './services/media-signalling.service';

/**
 * The embedded SFU: mediasoup workers, a router per active room, the
 * room → node assignment in Redis, and the signalling gateway (`/media`).
 * Loaded by the `api` and `all` roles.
 */
@Module({
  imports: [IdentityModule, RoomsModule],
  providers: [
    { provide: MEDIA_SETTINGS, inject: [AppConfig], useFactory: resolveMediaSettings },
    { provide: SIGNALLING_SETTINGS, inject: [AppConfig], useFactory: resolveSignallingSettings },
    MediaWorkerPool,
    RoomNodeRegistry,
    MediaRoomRegistry,
    MediaSignallingService,
    MediaGateway,
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
