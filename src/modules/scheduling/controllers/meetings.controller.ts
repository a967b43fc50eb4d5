import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import type { Principal, UserPrincipal } from '../../identity/auth/principal';
import {
  createMeetingSchema,
  occurrenceOverrideSchema,
  rangeQuerySchema,
  recurrenceIdParam,
  rsvpSchema,
  updateMeetingSchema,
  type CreateMeetingInput,
  type OccurrenceOverrideInput,
  type RangeQuery,
  type RsvpInput,
  type UpdateMeetingInput,
} from '../dto/meetings.dto';
import type { MeetingView, OccurrenceView } from '../scheduling.views';
import { CalendarService } from '../services/calendar.service';
import {
  IdempotencyService,
  type IdempotentRequest,
  type StoredResponse,
} from '../services/idempotency.service';
import { actorOf, MeetingsService } from '../services/meetings.service';

const WRITE = { scopes: ['meetings:write'] };
const READ = { scopes: ['meetings:read'] };

/**
 * Meetings of the calling user, or of the user an application acts for
 * (`meetings:write` to change, `meetings:read` to read). Applications may send
 * `Idempotency-Key` on every change.
 */
@ApiTags('meetings')
@Controller('meetings')
export class MeetingsController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly calendar: CalendarService,
    private readonly idempotency: IdempotencyService,
  ) {}

  private idem(
    p: Principal,
    key: string | undefined,
    fingerprint: unknown,
  ): IdempotentRequest | null {
    // Keys are scoped per application; a browser session has no use for them.
    if (key === undefined || p.kind !== 'application') return null;
    return { applicationId: p.applicationId, key, fingerprint };
  }

  private answer<T>(reply: FastifyReply, r: StoredResponse<T>): T {
    reply.status(r.status);
    if (r.replayed) reply.header('idempotent-replayed', 'true');
    return r.body;
  }

  @Post()
  @Authenticated(WRITE)
  async create(
    @CurrentPrincipal() p: Principal,
    @Body({ schema: createMeetingSchema }) body: CreateMeetingInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeetingView> {
    const actor = actorOf(p);
    const r = await this.idempotency.run(
      this.idem(p, key, { op: 'create', actor: actor.userId, body }),
      201,
      () => this.meetings.create(actor, p, body),
    );
    return this.answer(reply, r);
  }

  /** Occurrences in [from, to) of the meetings the user organizes or attends, recurrences expanded. */
  @Get()
  @Authenticated(READ)
  async list(
    @CurrentPrincipal() p: Principal,
    @Query({ schema: rangeQuerySchema }) q: RangeQuery,
  ): Promise<{ items: OccurrenceView[] }> {
    return { items: await this.meetings.listOccurrences(actorOf(p).userId, q.from, q.to) };
  }

  /** RFC 5545 export (also at /meetings/:id/ics). */
  @Get(':id.ics')
  @Authenticated(READ)
  ics(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.sendIcs(p, id, reply);
  }

  @Get(':id/ics')
  @Authenticated(READ)
  icsAlias(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return this.sendIcs(p, id, reply);
  }

  private async sendIcs(p: Principal, id: string, reply: FastifyReply): Promise<string> {
    const body = await this.calendar.exportMeeting(actorOf(p).userId, id);
    reply.header('content-type', 'text/calendar; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="meeting-${id}.ics"`);
    return body;
  }

  @Get(':id')
  @Authenticated(READ)
  get(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
  ): Promise<MeetingView> {
    return this.meetings.get(actorOf(p).userId, id);
  }

  /** Changes the meeting (SEQUENCE + 1, attendees notified). */
  @Patch(':id')
  @Authenticated(WRITE)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body({ schema: updateMeetingSchema }) body: UpdateMeetingInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeetingView> {
    const actor = actorOf(p);
    const r = await this.idempotency.run(
      this.idem(p, key, { op: 'update', id, actor: actor.userId, body }),
      200,
      () => this.meetings.update(actor, id, body),
    );
    return this.answer(reply, r);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Authenticated(WRITE)
  cancel(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeetingView> {
    return this.doCancel(p, id, key, reply);
  }

  @Delete(':id')
  @HttpCode(200)
  @Authenticated(WRITE)
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeetingView> {
    return this.doCancel(p, id, key, reply);
  }

  private async doCancel(
    p: Principal,
    id: string,
    key: string | undefined,
    reply: FastifyReply,
  ): Promise<MeetingView> {
    const actor = actorOf(p);
    const r = await this.idempotency.run(
      this.idem(p, key, { op: 'cancel', id, actor: actor.userId }),
      200,
      () => this.meetings.cancel(actor, id),
    );
    return this.answer(reply, r);
  }

  /** Moves, retitles or cancels one occurrence (`:recurrenceId` is its original start, ISO 8601). */
  @Put(':id/occurrences/:recurrenceId')
  @Authenticated(WRITE)
  async override(
    @CurrentPrincipal() p: Principal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Param('recurrenceId', { schema: recurrenceIdParam }) recurrenceId: string,
    @Body({ schema: occurrenceOverrideSchema }) body: OccurrenceOverrideInput,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeetingView> {
    const actor = actorOf(p);
    const r = await this.idempotency.run(
      this.idem(p, key, {
        op: 'override',
        id,
        recurrenceId: new Date(recurrenceId).toISOString(),
        actor: actor.userId,
        body,
      }),
      200,
      () => this.meetings.overrideOccurrence(actor, id, recurrenceId, body),
    );
    return this.answer(reply, r);
  }

  /** The calling attendee's answer. */
  @Post(':id/rsvp')
  @HttpCode(200)
  @Authenticated()
  rsvp(
    @CurrentPrincipal() p: UserPrincipal,
    @Param('id', { schema: z.uuid() }) id: string,
    @Body({ schema: rsvpSchema }) body: RsvpInput,
  ): Promise<MeetingView> {
    return this.meetings.rsvp(p.userId, id, body.partstat);
  }
}
