import { z } from 'zod';
import { PARTSTATS } from '../entities/meeting-attendee.entity';

/** An instant with an offset (`2026-03-16T10:00:00+01:00`, `…Z`) or a wall-clock time in the meeting's zone (`2026-03-16T10:00`). */
const dateTime = z.union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })]);

const attendee = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200).optional(),
});

const base = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  start: dateTime,
  end: dateTime,
  timeZone: z.string().min(1).max(64),
  /** RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=MO;COUNT=10`), or null. */
  rrule: z.string().min(1).max(500).nullable(),
  /** Original starts of occurrences that do not take place. */
  exdates: z.array(dateTime).max(1000),
  attendees: z.array(attendee).max(200),
};

export const createMeetingSchema = z.strictObject({
  ...base,
  description: base.description.default(''),
  rrule: base.rrule.optional(),
  exdates: base.exdates.default([]),
  attendees: base.attendees.default([]),
  /** An existing room the organizer moderates; by default a room is created for the meeting. */
  roomSlug: z.string().min(1).max(64).optional(),
});
export type CreateMeetingInput = z.infer<typeof createMeetingSchema>;

export const updateMeetingSchema = z
  .strictObject({
    title: base.title,
    description: base.description,
    start: base.start,
    end: base.end,
    timeZone: base.timeZone,
    rrule: base.rrule,
    exdates: base.exdates,
    attendees: base.attendees,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to change' });
export type UpdateMeetingInput = z.infer<typeof updateMeetingSchema>;

export const occurrenceOverrideSchema = z.union([
  z.strictObject({ cancelled: z.literal(true) }),
  z
    .strictObject({
      cancelled: z.literal(false).optional(),
      start: dateTime.optional(),
      end: dateTime.optional(),
      title: base.title.optional(),
      description: base.description.optional(),
    })
    .refine(
      (v) =>
        v.start !== undefined ||
        v.end !== undefined ||
        v.title !== undefined ||
        v.description !== undefined,
      {
        message: 'Nothing to change',
      },
    ),
]);
export type OccurrenceOverrideInput = z.infer<typeof occurrenceOverrideSchema>;

export const rangeQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export type RangeQuery = z.infer<typeof rangeQuerySchema>;

export const rsvpSchema = z.strictObject({ partstat: z.enum(PARTSTATS) });
export type RsvpInput = z.infer<typeof rsvpSchema>;

export const recurrenceIdParam = z.iso.datetime({ offset: true });
