import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { RoomsModule } from '../rooms/rooms.module';
import { WebController } from './controllers/web.controller';
import { LandingService } from './services/landing.service';
import { WebAssetsService } from './services/web-assets.service';
import { WebRoutes } from './web.routes';

/**
 * Serves the reference web client (landing page, room creation form, room
 * page and bundle); loaded by the `api` and `all` roles.
 */
@Module({
  imports: [IdentityModule, RoomsModule],
  controllers: [WebController],
  providers: [WebAssetsService, LandingService, WebRoutes],
})
export class WebModule {}
