import type { PartStat } from './entities/meeting-attendee.entity';
import type { MeetingStatus } from './entities/meeting.entity';

export interface AttendeeView {
  email: string;
  name: string | null;
  userId: string | null;
  partstat: PartStat;
}

export interface OccurrenceOverrideView {
  recurrenceId: string;
  cancelled: boolean;
  start: string | null;
  end: string | null;
  title: string | null;
  description: string | null;
}

/** A meeting (a series, for recurring ones) as clients and other modules see it. */
export interface MeetingView {
  id: string;
  uid: string;
  title: string;
  description: string;
  start: string;
  end: string;
  timeZone: string;
  rrule: string | null;
  exdates: string[];
  overrides: OccurrenceOverrideView[];
  status: MeetingStatus;
  sequence: number;
  organizer: { id: string; email: string | null; displayName: string };
  attendees: AttendeeView[];
  room: { id: string; joinUrl: string } | null;
  applicationId: string | null;
  icsUrl: string;
  createdAt: string;
  updatedAt: string;
}

/** One occurrence in a listing (recurrences expanded). */
export interface OccurrenceView {
  meetingId: string;
  recurrenceId: string;
  start: string;
  end: string;
  timeZone: string;
  title: string;
  recurring: boolean;
  overridden: boolean;
  role: 'organizer' | 'attendee';
  joinUrl: string | null;
}

export interface BusyInterval {
  start: string;
  end: string;
}
