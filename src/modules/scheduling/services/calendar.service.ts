import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { buildCalendar } from '../ical/meeting-calendar';
import { CalendarFeedsRepository } from '../repositories/calendar-feeds.repository';
import type { MeetingView } from '../scheduling.views';
import { MeetingsService } from './meetings.service';

export interface CalendarFeedView {
  active: boolean;
  createdAt: string | null;
}

const hash = (token: string) => createHash('sha256').update(token).digest();

/** iCalendar exports of meetings and each user's secret feed. */
@Injectable()
export class CalendarService {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly feeds: CalendarFeedsRepository,
    private readonly config: AppConfig,
  ) {}

  fallbackOrganizerEmail(): string {
    return `no-reply@${new URL(this.config.PUBLIC_URL).hostname}`;
  }

  /** The meeting as a standalone .ics (organizer and attendees only). */
  async exportMeeting(userId: string, id: string): Promise<string> {
    return this.render([await this.meetings.get(userId, id)]);
  }

  render(
    meetings: MeetingView[],
    opts: { method?: 'REQUEST' | 'CANCEL'; name?: string; ttlSeconds?: number } = {},
  ): string {
    return buildCalendar(meetings, {
      ...opts,
      fallbackOrganizerEmail: this.fallbackOrganizerEmail(),
    });
  }

  /** Creates the user's feed, or rotates it (the old URL stops working); the URL is in this answer only. */
  async createFeed(userId: string): Promise<CalendarFeedView & { url: string }> {
    const token = randomBytes(32).toString('base64url');
    await this.feeds.put(userId, hash(token));
    const row = await this.feeds.find(userId);
    return {
      active: true,
      createdAt: row!.createdAt.toISOString(),
      url: `${this.config.PUBLIC_URL}/api/v1/calendar/feed/${token}.ics`,
    };
  }

  async feedStatus(userId: string): Promise<CalendarFeedView> {
    const row = await this.feeds.find(userId);
    return { active: !!row, createdAt: row?.createdAt.toISOString() ?? null };
  }

  async revokeFeed(userId: string): Promise<void> {
    await this.feeds.remove(userId);
  }

  /** The feed behind a token; 404 for an unknown or revoked one. */
  async feed(token: string): Promise<string> {
    const userId = /^[A-Za-z0-9_-]{43}$/.test(token)
      ? await this.feeds.userIdFor(hash(token))
      : null;
    if (!userId) throw AppError.notFound('calendar_feed_not_found', 'No such calendar feed');
    return this.render(await this.meetings.feedMeetings(userId), {
      name: 'Visio',
      ttlSeconds: 900,
    });
  }
}
