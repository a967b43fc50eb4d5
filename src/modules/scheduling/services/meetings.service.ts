import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { AppError, ValidationError, type FieldIssue } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { actingUserId, type Principal } from '../../identity/auth/principal';
import { UsersService, type UserView } from '../../identity/services/users.service';
import { RoomAccessService } from '../../rooms/services/room-access.service';
import { RoomsService } from '../../rooms/services/rooms.service';
import type {
  CreateMeetingInput,
  OccurrenceOverrideInput,
  UpdateMeetingInput,
} from '../dto/meetings.dto';
import type { PartStat } from '../entities/meeting-attendee.entity';
import type { MeetingEntity } from '../entities/meeting.entity';
import {
  MeetingsRepository,
  rangeLiteral,
  type AttendeeInput,
  type MeetingRecord,
  type MeetingsTx,
} from '../repositories/meetings.repository';
import { MeetingEvents, type MeetingEventMap } from '../scheduling.events';
import type { BusyInterval, MeetingView, OccurrenceView } from '../scheduling.views';
import {
  expand,
  isOccurrence,
  normalizeRrule,
  RecurrenceError,
  seriesSpan,
  startsOnRule,
  type SeriesSpec,
} from '../time/recurrence';
import { fromWallClock, isValidTimeZone } from '../time/zoned-time';

/** Who acts: a user, directly or through an application. */
export interface Actor {
  userId: string;
  applicationId: string | null;
}

const MAX_DURATION_MS = 7 * 86_400_000;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Resolves the acting user of a request; applications must act for a user. */
export function actorOf(p: Principal | undefined): Actor {
  const userId = actingUserId(p);
  if (!userId)
    throw AppError.forbidden(
      'acting_user_required',
      'This API acts for a user: request a token for a user (act_as)',
    );
  return { userId, applicationId: p?.kind === 'application' ? p.applicationId : null };
}

/** Parses an instant, or a wall-clock time in `timeZone`; null when malformed. */
function parseTime(value: string, timeZone: string): Date | null {
  if (HAS_OFFSET.test(value)) {
    const d = new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  return fromWallClock(
    { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: s ? +s : 0 },
    timeZone,
  );
}

interface Schedule {
  title: string;
  description: string;
  start: Date;
  end: Date;
  timeZone: string;
  rrule: string | null;
  exdates: Date[];
}

@Injectable()
export class MeetingsService {
  private readonly logger = new Logger('Meetings');

  constructor(
    private readonly repo: MeetingsRepository,
    private readonly users: UsersService,
    private readonly rooms: RoomsService,
    private readonly roomAccess: RoomAccessService,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  // ---- validation -------------------------------------------------------

  /** Semantic checks the schema cannot make; every problem at once, each with its field and code. */
  private schedule(input: {
    title: string;
    description: string;
    start: string;
    end: string;
    timeZone: string;
    rrule: string | null;
    exdates: string[];
  }): Schedule {
    const issues: FieldIssue[] = [];
    const tzOk = isValidTimeZone(input.timeZone);
    if (!tzOk)
      issues.push({
        path: 'timeZone',
        code: 'invalid_time_zone',
        message: `Unknown time zone: ${input.timeZone}`,
      });
    const timeZone = tzOk ? input.timeZone : 'UTC';
    const start = parseTime(input.start, timeZone);
    const end = parseTime(input.end, timeZone);
    issues.push(...spanIssues(start, end));
    let rrule: string | null = null;
    if (input.rrule) {
      try {
        rrule = normalizeRrule(input.rrule);
      } catch (e) {
        if (!(e instanceof RecurrenceError)) throw e;
        issues.push({ path: 'rrule', code: e.code, message: e.message });
      }
    }
    const exdates: Date[] = [];
    input.exdates.forEach((x, i) => {
      const d = parseTime(x, timeZone);
      if (!d)
        issues.push({
          path: `exdates.${i}`,
          code: 'invalid_date',
          message: 'Not a valid date-time',
        });
      else exdates.push(d);
    });
    if (!issues.length && rrule) {
      const spec: SeriesSpec = {
        start: start!,
        end: end!,
        timeZone,
        rrule,
        exdates: [],
        overrides: [],
      };
      if (!startsOnRule(spec)) {
        issues.push({
          path: 'rrule',
          code: 'rrule_start_mismatch',
          message: 'The start must be the first occurrence of the rule',
        });
      }
      exdates.forEach((d, i) => {
        if (!isOccurrence(spec, d))
          issues.push({
            path: `exdates.${i}`,
            code: 'invalid_exdate',
            message: 'Not an occurrence of the meeting',
          });
      });
    } else if (!issues.length && exdates.length) {
      issues.push({
        path: 'exdates',
        code: 'invalid_exdate',
        message: 'Only recurring meetings have exception dates',
      });
    }
    if (issues.length) throw new ValidationError(issues);
    return {
      title: input.title,
      description: input.description,
      start: start!,
      end: end!,
      timeZone,
      rrule,
      exdates: dedupeDates(exdates),
    };
  }

  private async attendeesFor(
    list: Array<{ email: string; name?: string }>,
  ): Promise<AttendeeInput[]> {
    const seen = new Map<string, AttendeeInput>();
    for (const a of list) {
      const email = a.email.toLowerCase();
      if (seen.has(email)) continue;
      const user = await this.users.findByEmail(email);
      seen.set(email, {
        email,
        name: a.name ?? null,
        userId: user && !user.pending ? user.id : null,
      });
    }
    return [...seen.values()];
  }

  // ---- occurrences and conflicts ---------------------------------------

  private spec(
    m: Pick<MeetingEntity, 'startsAt' | 'endsAt' | 'timeZone' | 'rrule' | 'exdates'>,
    r?: MeetingRecord,
  ): SeriesSpec {
    return {
      start: m.startsAt,
      end: m.endsAt,
      timeZone: m.timeZone,
      rrule: m.rrule,
      exdates: m.exdates ?? [],
      overrides: (r?.exceptions ?? []).map((x) => ({
        recurrenceId: x.recurrenceId,
        cancelled: x.cancelled,
        start: x.startsAt,
        end: x.endsAt,
      })),
    };
  }

  /** Occurrences checked for conflicts: from the series start to the horizon. */
  private horizonOccurrences(spec: SeriesSpec) {
    const horizonEnd = new Date(
      Math.max(Date.now(), spec.start.getTime()) + this.config.SCHEDULING_HORIZON_DAYS * 86_400_000,
    );
    const from = new Date(
      Math.min(
        spec.start.getTime(),
        ...spec.overrides.filter((o) => o.start).map((o) => o.start!.getTime()),
      ),
    );
    return expand(spec, from, horizonEnd);
  }

  /** Writes the occurrences; an overlap with another meeting of the organizer is 409 `meeting_conflict`. */
  private async writeOccurrences(
    tx: MeetingsTx,
    meetingId: string,
    organizerId: string,
    spec: SeriesSpec,
  ): Promise<void> {
    const occurrences = this.horizonOccurrences(spec);
    try {
      await tx.replaceOccurrences(meetingId, organizerId, occurrences);
    } catch (e) {
      if (pgCode(e) !== '23P01') throw e;
      throw new ConflictSignal(occurrences);
    }
  }

  private async conflict(
    organizerId: string,
    signal: ConflictSignal,
    meetingId: string | null,
  ): Promise<AppError> {
    const conflictingMeetingId = await this.repo.findConflict(
      organizerId,
      signal.occurrences,
      meetingId,
    );
    return AppError.conflict(
      'meeting_conflict',
      'The organizer already has a meeting at this time',
      { conflictingMeetingId },
    );
  }

  // ---- commands ---------------------------------------------------------

  async create(
    actor: Actor,
    principal: Principal,
    input: CreateMeetingInput,
  ): Promise<MeetingView> {
    const s = this.schedule({ ...input, rrule: input.rrule ?? null });
    const attendees = await this.attendeesFor(input.attendees);
    // A chosen room must be one the organizer moderates (404 for a room they cannot see).
    const chosen = input.roomSlug
      ? (await this.roomAccess.requireRole(principal, input.roomSlug, ['owner', 'administrator']))
          .room
      : null;
    const spec: SeriesSpec = {
      start: s.start,
      end: s.end,
      timeZone: s.timeZone,
      rrule: s.rrule,
      exdates: s.exdates,
      overrides: [],
    };
    const span = seriesSpan(spec);

    let meeting: MeetingEntity;
    try {
      meeting = await this.repo.transaction(async (tx) => {
        const m = await tx.insert({
          uid: `${randomUUID()}@${new URL(this.config.PUBLIC_URL).hostname}`,
          organizerId: actor.userId,
          roomId: chosen?.id ?? null,
          joinUrl: chosen?.joinUrl ?? null,
          applicationId: actor.applicationId,
          title: s.title,
          description: s.description,
          startsAt: s.start,
          endsAt: s.end,
          timeZone: s.timeZone,
          rrule: s.rrule,
          exdates: s.exdates,
          span: rangeLiteral(span.start, span.end),
        });
        await tx.replaceAttendees(m.id, attendees);
        await this.writeOccurrences(tx, m.id, actor.userId, spec);
        return m;
      });
    } catch (e) {
      if (e instanceof ConflictSignal) throw await this.conflict(actor.userId, e, null);
      throw e;
    }

    // The room comes once the slot is secured, so a refused booking leaves no room behind.
    if (!chosen) await this.attachNewRoom(meeting);
    const view = await this.view(meeting.id);
    await this.emit(MeetingEvents.created, {
      meeting: view,
      actorUserId: actor.userId,
      viaApplicationId: actor.applicationId,
    });
    return view;
  }

  private async attachNewRoom(meeting: MeetingEntity): Promise<void> {
    try {
      const room = await this.rooms.createForOwner(meeting.organizerId, {
        name: meeting.title.slice(0, 200),
      });
      await this.repo.transaction((tx) =>
        tx.update(meeting.id, { roomId: room.id, joinUrl: room.joinUrl }),
      );
    } catch (e) {
      // The meeting stands; creating its room is tried again at its next change.
      this.logger.error(
        `could not create the room of meeting ${meeting.id}: ${(e as Error).message}`,
      );
    }
  }

  async update(actor: Actor, id: string, input: UpdateMeetingInput): Promise<MeetingView> {
    const before = await this.readableRecord(actor.userId, id);
    this.requireOrganizer(actor, before.meeting);
    if (before.meeting.status === 'cancelled')
      throw AppError.conflict('meeting_cancelled', 'This meeting is cancelled');
    const m = before.meeting;
    const timingChanged = ['start', 'end', 'timeZone', 'rrule'].some((k) => k in input);
    const s = this.schedule({
      title: input.title ?? m.title,
      description: input.description ?? m.description,
      start: input.start ?? m.startsAt.toISOString(),
      end: input.end ?? m.endsAt.toISOString(),
      timeZone: input.timeZone ?? m.timeZone,
      rrule: input.rrule !== undefined ? input.rrule : m.rrule,
      // Moving the series invalidates its exceptions (their occurrences no longer exist).
      exdates: input.exdates ?? (timingChanged ? [] : m.exdates.map((d) => d.toISOString())),
    });
    const attendees = input.attendees ? await this.attendeesFor(input.attendees) : null;
    const removed = attendees
      ? before.attendees
          .filter((a) => !attendees.some((n) => n.email === a.email.toLowerCase()))
          .map((a) => ({ email: a.email, name: a.name }))
      : [];

    try {
      await this.repo.transaction(async (tx) => {
        const locked = await tx.lock(id);
        if (!locked || locked.status === 'cancelled')
          throw AppError.conflict('meeting_cancelled', 'This meeting is cancelled');
        if (timingChanged) await tx.clearExceptions(id);
        const current = timingChanged ? { ...before, exceptions: [] } : before;
        const spec = this.spec(
          {
            startsAt: s.start,
            endsAt: s.end,
            timeZone: s.timeZone,
            rrule: s.rrule,
            exdates: s.exdates,
          },
          current,
        );
        const span = seriesSpan(spec);
        await tx.update(id, {
          title: s.title,
          description: s.description,
          startsAt: s.start,
          endsAt: s.end,
          timeZone: s.timeZone,
          rrule: s.rrule,
          exdates: s.exdates,
          span: rangeLiteral(span.start, span.end),
          sequence: locked.sequence + 1,
        });
        if (attendees) await tx.replaceAttendees(id, attendees);
        await this.writeOccurrences(tx, id, m.organizerId, spec);
      });
    } catch (e) {
      if (e instanceof ConflictSignal) throw await this.conflict(m.organizerId, e, id);
      throw e;
    }
    if (!m.roomId) await this.attachNewRoom({ ...m, title: s.title });
    const view = await this.view(id);
    await this.emit(MeetingEvents.updated, {
      meeting: view,
      actorUserId: actor.userId,
      viaApplicationId: actor.applicationId,
      removedAttendees: removed,
    });
    return view;
  }

  /** Overrides or cancels one occurrence of a recurring meeting. */
  async overrideOccurrence(
    actor: Actor,
    id: string,
    recurrenceIdText: string,
    input: OccurrenceOverrideInput,
  ): Promise<MeetingView> {
    const before = await this.readableRecord(actor.userId, id);
    this.requireOrganizer(actor, before.meeting);
    const m = before.meeting;
    if (m.status === 'cancelled')
      throw AppError.conflict('meeting_cancelled', 'This meeting is cancelled');
    if (!m.rrule)
      throw AppError.badRequest(
        'meeting_not_recurring',
        'Only occurrences of recurring meetings can be changed one by one',
      );
    const recurrenceId = new Date(recurrenceIdText);
    const spec = this.spec(m, before);
    if (
      !isOccurrence(spec, recurrenceId) ||
      m.exdates.some((d) => d.getTime() === recurrenceId.getTime())
    ) {
      throw AppError.notFound(
        'occurrence_not_found',
        'The meeting has no occurrence starting at this time',
      );
    }
    const previous = before.exceptions.find(
      (x) => x.recurrenceId.getTime() === recurrenceId.getTime(),
    );
    let override: {
      cancelled: boolean;
      startsAt: Date | null;
      endsAt: Date | null;
      title: string | null;
      description: string | null;
    };
    if (input.cancelled) {
      override = { cancelled: true, startsAt: null, endsAt: null, title: null, description: null };
    } else {
      const duration = m.endsAt.getTime() - m.startsAt.getTime();
      const start = input.start
        ? parseTime(input.start, m.timeZone)
        : (previous?.startsAt ?? recurrenceId);
      const end = input.end
        ? parseTime(input.end, m.timeZone)
        : input.start
          ? new Date(start!.getTime() + duration)
          : (previous?.endsAt ?? new Date(recurrenceId.getTime() + duration));
      const issues: FieldIssue[] = [];
      issues.push(...spanIssues(start, end));
      if (issues.length) throw new ValidationError(issues);
      override = {
        cancelled: false,
        startsAt: start,
        endsAt: end,
        title: input.title ?? previous?.title ?? null,
        description: input.description ?? previous?.description ?? null,
      };
    }

    try {
      await this.repo.transaction(async (tx) => {
        const locked = await tx.lock(id);
        if (!locked || locked.status === 'cancelled')
          throw AppError.conflict('meeting_cancelled', 'This meeting is cancelled');
        await tx.upsertException({ meetingId: id, recurrenceId, ...override });
        const exceptions = [
          ...before.exceptions.filter((x) => x.recurrenceId.getTime() !== recurrenceId.getTime()),
          {
            meetingId: id,
            recurrenceId,
            ...override,
            createdAt: new Date(),
            updatedAt: new Date(),
          },
        ];
        const next = this.spec(locked, { ...before, exceptions });
        const span = seriesSpan(next);
        await tx.update(id, {
          sequence: locked.sequence + 1,
          span: rangeLiteral(span.start, span.end),
        });
        await this.writeOccurrences(tx, id, m.organizerId, next);
      });
    } catch (e) {
      if (e instanceof ConflictSignal) throw await this.conflict(m.organizerId, e, id);
      throw e;
    }
    const view = await this.view(id);
    await this.emit(MeetingEvents.updated, {
      meeting: view,
      actorUserId: actor.userId,
      viaApplicationId: actor.applicationId,
      removedAttendees: [],
    });
    return view;
  }

  /** Cancels the meeting (all occurrences); cancelling again changes nothing. */
  async cancel(actor: Actor, id: string): Promise<MeetingView> {
    const before = await this.readableRecord(actor.userId, id);
    this.requireOrganizer(actor, before.meeting);
    const changed = await this.repo.transaction(async (tx) => {
      const locked = await tx.lock(id);
      if (!locked || locked.status === 'cancelled') return false;
      await tx.update(id, {
        status: 'cancelled',
        cancelledAt: new Date(),
        sequence: locked.sequence + 1,
      });
      await tx.replaceOccurrences(id, locked.organizerId, []);
      return true;
    });
    const view = await this.view(id);
    if (changed)
      await this.emit(MeetingEvents.cancelled, {
        meeting: view,
        actorUserId: actor.userId,
        viaApplicationId: actor.applicationId,
      });
    return view;
  }

  /** An attendee answers (ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION). */
  async rsvp(userId: string, id: string, partstat: PartStat): Promise<MeetingView> {
    const record = await this.readableRecord(userId, id);
    const me = await this.users.get(userId);
    const attendee = await this.repo.findAttendee(record.meeting.id, {
      id: userId,
      email: me.email,
    });
    if (!attendee)
      throw AppError.forbidden('not_an_attendee', 'Only attendees answer an invitation');
    await this.repo.setPartstat(attendee.id, userId, partstat);
    return this.view(id);
  }

  // ---- queries ----------------------------------------------------------

  async get(userId: string, id: string): Promise<MeetingView> {
    await this.readableRecord(userId, id);
    return this.view(id);
  }

  /** The meeting for its organizer or an attendee; 404 for anyone else (no existence leak). */
  private async readableRecord(userId: string, id: string): Promise<MeetingRecord> {
    const record = await this.repo.findRecord(id);
    if (!record) throw notFound();
    if (record.meeting.organizerId === userId) return record;
    const me = await this.users.get(userId);
    const email = me.email?.toLowerCase();
    if (
      record.attendees.some(
        (a) => a.userId === userId || (!a.userId && email && a.email.toLowerCase() === email),
      )
    )
      return record;
    throw notFound();
  }

  private requireOrganizer(actor: Actor, m: MeetingEntity): void {
    if (m.organizerId !== actor.userId)
      throw AppError.forbidden('not_organizer', 'Only the organizer changes a meeting');
  }

  private window(fromText: string, toText: string): { from: Date; to: Date } {
    const from = new Date(fromText);
    const to = new Date(toText);
    if (to <= from)
      throw new ValidationError([
        { path: 'to', code: 'invalid_range', message: '`to` must be after `from`' },
      ]);
    if (to.getTime() - from.getTime() > this.config.SCHEDULING_MAX_WINDOW_DAYS * 86_400_000) {
      throw new ValidationError([
        {
          path: 'to',
          code: 'range_too_wide',
          message: `At most ${this.config.SCHEDULING_MAX_WINDOW_DAYS} days between from and to`,
        },
      ]);
    }
    return { from, to };
  }

  /** Occurrences of the user's meetings (organized or attended) in [from, to), recurrences expanded. */
  async listOccurrences(
    userId: string,
    fromText: string,
    toText: string,
  ): Promise<OccurrenceView[]> {
    const { from, to } = this.window(fromText, toText);
    const me = await this.users.get(userId);
    const records = await this.repo.listForUser({ id: userId, email: me.email }, from, to);
    const out: OccurrenceView[] = [];
    for (const r of records) {
      const m = r.meeting;
      for (const o of expand(this.spec(m, r), from, to)) {
        const x = r.exceptions.find((e) => e.recurrenceId.getTime() === o.recurrenceId.getTime());
        out.push({
          meetingId: m.id,
          recurrenceId: o.recurrenceId.toISOString(),
          start: o.start.toISOString(),
          end: o.end.toISOString(),
          timeZone: m.timeZone,
          title: x?.title ?? m.title,
          recurring: !!m.rrule,
          overridden: o.overridden,
          role: m.organizerId === userId ? 'organizer' : 'attendee',
          joinUrl: m.joinUrl,
        });
      }
    }
    return out.sort(
      (a, b) => a.start.localeCompare(b.start) || a.meetingId.localeCompare(b.meetingId),
    );
  }

  /** Busy intervals of the user in [from, to): merged occurrences of meetings not declined. */
  async freeBusy(userId: string, fromText: string, toText: string): Promise<BusyInterval[]> {
    const { from, to } = this.window(fromText, toText);
    const me = await this.users.get(userId);
    const records = await this.repo.listForUser({ id: userId, email: me.email }, from, to, {
      excludeDeclined: true,
    });
    const intervals = records
      .flatMap((r) => expand(this.spec(r.meeting, r), from, to))
      .map((o) => ({
        start: Math.max(o.start.getTime(), from.getTime()),
        end: Math.min(o.end.getTime(), to.getTime()),
      }))
      .sort((a, b) => a.start - b.start);
    const merged: Array<{ start: number; end: number }> = [];
    for (const i of intervals) {
      const last = merged[merged.length - 1];
      if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
      else merged.push({ ...i });
    }
    return merged.map((i) => ({
      start: new Date(i.start).toISOString(),
      end: new Date(i.end).toISOString(),
    }));
  }

  /** The meetings of a user's calendar feed: confirmed, from 90 days ago on. */
  async feedMeetings(userId: string): Promise<MeetingView[]> {
    const me = await this.users.get(userId);
    const records = await this.repo.listForUser(
      { id: userId, email: me.email },
      new Date(Date.now() - 90 * 86_400_000),
      null,
    );
    return this.views(records);
  }

  async view(id: string): Promise<MeetingView> {
    const record = await this.repo.findRecord(id);
    if (!record) throw notFound();
    return (await this.views([record]))[0];
  }

  private async views(records: MeetingRecord[]): Promise<MeetingView[]> {
    const organizers = new Map<string, UserView>(
      (await this.users.findByIds([...new Set(records.map((r) => r.meeting.organizerId))])).map(
        (u) => [u.id, u],
      ),
    );
    return records.map(({ meeting: m, attendees, exceptions }) => {
      const o = organizers.get(m.organizerId);
      return {
        id: m.id,
        uid: m.uid,
        title: m.title,
        description: m.description,
        start: m.startsAt.toISOString(),
        end: m.endsAt.toISOString(),
        timeZone: m.timeZone,
        rrule: m.rrule,
        exdates: (m.exdates ?? []).map((d) => d.toISOString()),
        overrides: exceptions.map((x) => ({
          recurrenceId: x.recurrenceId.toISOString(),
          cancelled: x.cancelled,
          start: x.startsAt?.toISOString() ?? null,
          end: x.endsAt?.toISOString() ?? null,
          title: x.title,
          description: x.description,
        })),
        status: m.status,
        sequence: m.sequence,
        organizer: {
          id: m.organizerId,
          email: o?.email ?? null,
          displayName: o?.displayName ?? 'Agent',
        },
        attendees: attendees.map((a) => ({
          email: a.email,
          name: a.name,
          userId: a.userId,
          partstat: a.partstat,
        })),
        room: m.roomId && m.joinUrl ? { id: m.roomId, joinUrl: m.joinUrl } : null,
        applicationId: m.applicationId,
        icsUrl: `${this.config.PUBLIC_URL}/api/v1/meetings/${m.id}.ics`,
        createdAt: m.createdAt.toISOString(),
        updatedAt: m.updatedAt.toISOString(),
      };
    });
  }

  private async emit<K extends keyof MeetingEventMap>(
    name: K,
    payload: MeetingEventMap[K],
  ): Promise<void> {
    // Listeners enqueue mail and webhooks (outbox rows); a failure there must not undo the booking.
    await this.events
      .emitAsync(name, payload)
      .catch((e) => this.logger.error(`${name} listeners failed: ${(e as Error).message}`));
  }
}

/** Thrown inside the transaction so that it rolls back before the conflicting meeting is looked up. */
class ConflictSignal extends Error {
  constructor(readonly occurrences: Array<{ start: Date; end: Date }>) {
    super('meeting conflict');
  }
}

function notFound(): AppError {
  return AppError.notFound('meeting_not_found', 'No such meeting');
}

function pgCode(e: unknown): string | undefined {
  const x = e as { code?: string; driverError?: { code?: string } };
  return x?.driverError?.code ?? x?.code;
}

function dedupeDates(dates: Date[]): Date[] {
  return [...new Set(dates.map((d) => d.getTime()))].sort((a, b) => a - b).map((t) => new Date(t));
}

/** What is wrong with a meeting's (or an occurrence's) start and end, field by field. */
function spanIssues(start: Date | null, end: Date | null): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!start)
    issues.push({ path: 'start', code: 'invalid_date', message: 'Not a valid date-time' });
  if (!end) issues.push({ path: 'end', code: 'invalid_date', message: 'Not a valid date-time' });
  if (start && end && end <= start) {
    issues.push({
      path: 'end',
      code: 'end_before_start',
      message: 'The end must be after the start',
    });
  }
  if (start && end && end.getTime() - start.getTime() > MAX_DURATION_MS) {
    issues.push({
      path: 'end',
      code: 'duration_too_long',
      message: 'A meeting lasts at most 7 days',
    });
  }
  return issues;
}
