import { Module } from '@nestjs/common';
import { WebController } from './controllers/web.controller';
import { WebAssetsService } from './services/web-assets.service';

/** Serves the reference web client (room page and bundle); loaded by the `api` and `all` roles. */
@Module({
  controllers: [WebController],
  providers: [WebAssetsService],
})
export class WebModule {}
