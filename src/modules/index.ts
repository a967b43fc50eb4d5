import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { IdentityModule } from './identity/identity.module';
import { MediaModule } from './media/media.module';
import { RoomsModule } from './rooms/rooms.module';
import { NotificationsModule } from './notifications/notifications.module';
import { SchedulingModule } from './scheduling/scheduling.module';
import { WebModule } from './web/web.module';

/**
 * The domain modules a process loads for its role. `api` serves HTTP,
 * websockets and media; `worker` runs the BullMQ processors; `all` both.
 */
export function domainModules(config: AppConfig): Array<Type | DynamicModule> {
  const api = config.APP_ROLE !== 'worker';
  return [
    IdentityModule,
    RoomsModule,
    NotificationsModule,
    ...(api ? [MediaModule, SchedulingModule] : []),
    ...(api ? [WebModule] : []),
  ];
}
