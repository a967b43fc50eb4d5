import { Controller, Get, Param, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SLUG } from '../../rooms/dto/rooms.dto';
import { notFoundPage, roomPage } from '../pages/room-page';
import { WebAssetsService } from '../services/web-assets.service';

/**
 * The reference web client, outside /api: the room page at /r/:slug and its
 * files at /assets/*. The page asks the REST API and the /media gateway for
 * everything else, so it needs no session here.
 */
@ApiExcludeController()
@SkipThrottle()
@Controller({ version: VERSION_NEUTRAL })
export class WebController {
  constructor(private readonly assets: WebAssetsService) {}

  /** The room page; an address that cannot be a slug is a 404 page. */
  @Get('r/:slug')
  async room(@Param('slug') slug: string, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    if (!SLUG.test(slug) || slug.includes('--')) {
      void reply.status(404).send(notFoundPage());
      return;
    }
    const [scriptVersion, styleVersion] = await Promise.all([
      this.assets.version('room.page.js'),
      this.assets.version('room.css'),
    ]);
    void reply.send(roomPage(slug, { scriptVersion, styleVersion }));
  }

  /** A file of client/dist or client/public; 404 `asset_not_found` otherwise. */
  @Get('assets/*')
  async asset(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const asset = await this.assets.get(assetName(req.url));
    if (!asset) {
      void reply
        .status(404)
        .type('application/json; charset=utf-8')
        .send({
          code: 'asset_not_found',
          message: 'No such asset',
          correlationId: String(req.id),
        });
      return;
    }
    // Page URLs carry a fingerprint; revalidating stays cheap with the ETag.
    void reply.header('etag', asset.etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.type(asset.contentType).send(asset.body);
  }
}

/** The file name after /assets/, decoded; '' when the escape is malformed. */
function assetName(url: string): string {
  try {
    return decodeURIComponent(url.split('?')[0].slice('/assets/'.length));
  } catch {
    return '';
  }
}
