import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RoomsModule } from '../rooms/rooms.module';
import { CalendarFeedController, MyCalendarController } from './controllers/calendar.controller';
import { MeetingsController } from './controllers/meetings.controller';
import { CalendarFeedTokenEntity } from './entities/calendar-feed-token.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { MeetingAttendeeEntity } from './entities/meeting-attendee.entity';
import { MeetingExceptionEntity } from './entities/meeting-exception.entity';
import { MeetingOccurrenceEntity } from './entities/meeting-occurrence.entity';
import { MeetingEntity } from './entities/meeting.entity';
import { MeetingNotificationsListener } from './listeners/meeting-notifications.listener';
import { CalendarFeedsRepository } from './repositories/calendar-feeds.repository';
import { IdempotencyKeysRepository } from './repositories/idempotency-keys.repository';
import { MeetingsRepository } from './repositories/meetings.repository';
import { CalendarService } from './services/calendar.service';
import { IdempotencyService } from './services/idempotency.service';
import { MeetingsService } from './services/meetings.service';

/** Meetings, recurrence, conflicts, iCalendar exports and feeds, the booking API. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      MeetingEntity,
      MeetingAttendeeEntity,
      MeetingExceptionEntity,
      MeetingOccurrenceEntity,
      CalendarFeedTokenEntity,
      IdempotencyKeyEntity,
    ]),
    IdentityModule,
    RoomsModule,
    NotificationsModule,
  ],
  controllers: [MeetingsController, MyCalendarController, CalendarFeedController],
  providers: [
    MeetingsRepository,
    CalendarFeedsRepository,
    IdempotencyKeysRepository,
    MeetingsService,
    CalendarService,
    IdempotencyService,
    MeetingNotificationsListener,
  ],
  exports: [MeetingsService, CalendarService],
})
export class SchedulingModule {}
