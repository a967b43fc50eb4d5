import type { MeetingView } from './scheduling.views';

/** Domain events of the scheduling module (EventEmitter2), emitted after the change is committed. */
export const MeetingEvents = {
  created: 'meeting.created',
  updated: 'meeting.updated',
  cancelled: 'meeting.cancelled',
} as const;

export interface MeetingChangedEvent {
  meeting: MeetingView;
  /** The user who made the change (the organizer, or the user an application acted for). */
  actorUserId: string;
  /** The application that made the change, if any. */
  viaApplicationId: string | null;
  /** Attendees taken off the meeting by this change (they get a CANCEL). */
  removedAttendees: Array<{ email: string; name: string | null }>;
}

export type MeetingCreatedEvent = Omit<MeetingChangedEvent, 'removedAttendees'>;
export type MeetingCancelledEvent = Omit<MeetingChangedEvent, 'removedAttendees'>;

export interface MeetingEventMap {
  'meeting.created': MeetingCreatedEvent;
  'meeting.updated': MeetingChangedEvent;
  'meeting.cancelled': MeetingCancelledEvent;
}
