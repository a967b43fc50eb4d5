import { Body, Controller, Get, Param, Post, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../../common/errors/app-error';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import type { UserPrincipal } from '../../identity/auth/principal';
import { RoomsService } from '../../rooms/services/rooms.service';
import { SLUG, accessLevelSchema } from '../../rooms/dto/rooms.dto';
import { notFoundPage, roomPage } from '../pages/room-page';
import { LandingService } from '../services/landing.service';
import { WebAssetsService } from '../services/web-assets.service';

/** The landing page's "Nouvelle réunion" form (form-encoded; an empty select counts as none). */
export const newRoomFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Indiquez un nom.')
    .max(200, 'Le nom compte au plus 200 caractères.'),
  accessLevel: z.preprocess((v) => (v === '' ? undefined : v), accessLevelSchema.optional()),
});

/**
 * The reference web client, outside /api: the room page at /r/:slug and its
 * files at /assets/*. The page asks the REST API and the /media gateway for
 * everything else, so it needs no session here.
 */
@ApiExcludeController()
@SkipThrottle()
@Controller({ version: VERSION_NEUTRAL })
export class WebController {
  constructor(
    private readonly assets: WebAssetsService,
    private readonly rooms: RoomsService,
    private readonly landing: LandingService,
  ) {}

  /**
   * The landing page's form: creates a room owned by the agent and sends
   * them into it (303). Invalid input: a browser gets the page again with
   * the message (400, HTML); other clients the house 400 `validation_failed`.
   * The global guard checks the Origin of this cookie-authenticated POST.
   */
  @Post('r')
  @Authenticated()
  @SkipThrottle({ default: false })
  async create(
    @CurrentPrincipal() principal: UserPrincipal,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const parsed = newRoomFormSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: i.message,
      }));
      if (!wantsHtml(req)) throw new ValidationError(details);
      const raw = (body ?? {}) as Record<string, unknown>;
      const html = await this.landing.forAgent(principal, {
        name: typeof raw.name === 'string' ? raw.name.slice(0, 200) : '',
        accessLevel: typeof raw.accessLevel === 'string' ? raw.accessLevel : undefined,
        error: parsed.error.issues.some((i) => i.path[0] === 'accessLevel')
          ? 'Choisissez qui peut entrer.'
          : parsed.error.issues[0].message,
      });
      void reply
        .status(400)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(html);
      return;
    }
    const room = await this.rooms.createForOwner(principal.userId, parsed.data);
    void reply.status(303).header('location', `/r/${room.slug}`).send();
  }

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

/** A browser's form submission (it accepts HTML), rather than an API client. */
function wantsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

/** The file name after /assets/, decoded; '' when the escape is malformed. */
function assetName(url: string): string {
  try {
    return decodeURIComponent(url.split('?')[0].slice('/assets/'.length));
  } catch {
    return '';
  }
}
