import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../../identity/auth/auth.decorators';
import type { Principal, UserPrincipal } from '../../identity/auth/principal';
import { rangeQuerySchema, type RangeQuery } from '../dto/meetings.dto';
import type { BusyInterval } from '../scheduling.views';
import { CalendarService, type CalendarFeedView } from '../services/calendar.service';
import { actorOf, MeetingsService } from '../services/meetings.service';

/** The user's free/busy time and secret calendar feed. */
@ApiTags('calendar')
@Controller('users/me')
export class MyCalendarController {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly calendar: CalendarService,
  ) {}

  @Get('free-busy')
  @Authenticated({ scopes: ['meetings:read'] })
  async freeBusy(
    @CurrentPrincipal() p: Principal,
    @Query({ schema: rangeQuerySchema }) q: RangeQuery,
  ): Promise<{ from: string; to: string; busy: BusyInterval[] }> {
    return {
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      busy: await this.meetings.freeBusy(actorOf(p).userId, q.from, q.to),
    };
  }

  @Get('calendar-feed')
  @Authenticated()
  feedStatus(@CurrentPrincipal() p: UserPrincipal): Promise<CalendarFeedView> {
    return this.calendar.feedStatus(p.userId);
  }

  /** Creates or rotates the feed: the URL (its secret) is in this answer only. */
  @Post('calendar-feed')
  @Authenticated()
  createFeed(@CurrentPrincipal() p: UserPrincipal): Promise<CalendarFeedView & { url: string }> {
    return this.calendar.createFeed(p.userId);
  }

  @Delete('calendar-feed')
  @HttpCode(204)
  @Authenticated()
  async revokeFeed(@CurrentPrincipal() p: UserPrincipal): Promise<void> {
    await this.calendar.revokeFeed(p.userId);
  }
}

/** The feed itself: public, the token in the URL is the credential. */
@ApiTags('calendar')
@Controller('calendar/feed')
export class CalendarFeedController {
  constructor(private readonly calendar: CalendarService) {}

  @Get(':token.ics')
  async feed(
    @Param('token', { schema: z.string().max(100) }) token: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const body = await this.calendar.feed(token);
    reply.header('content-type', 'text/calendar; charset=utf-8');
    reply.header('cache-control', 'private, max-age=300');
    return body;
  }
}
