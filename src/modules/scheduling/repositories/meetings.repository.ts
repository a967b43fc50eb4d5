import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, type EntityManager } from 'typeorm';
import { MeetingAttendeeEntity, type PartStat } from '../entities/meeting-attendee.entity';
import { MeetingExceptionEntity } from '../entities/meeting-exception.entity';
import { MeetingOccurrenceEntity } from '../entities/meeting-occurrence.entity';
import { MeetingEntity } from '../entities/meeting.entity';

/** A meeting with what belongs to it. */
export interface MeetingRecord {
  meeting: MeetingEntity;
  attendees: MeetingAttendeeEntity[];
  exceptions: MeetingExceptionEntity[];
}

export interface AttendeeInput {
  email: string;
  name: string | null;
  userId: string | null;
}

export type MeetingValues = Omit<
  MeetingEntity,
  'id' | 'createdAt' | 'updatedAt' | 'cancelledAt' | 'status' | 'sequence' | 'uid'
> &
  Partial<Pick<MeetingEntity, 'uid' | 'sequence' | 'status' | 'cancelledAt'>>;

/** `[start,end)` as Postgres text. */
export function rangeLiteral(start: Date, end: Date | null): string {
  return `[${start.toISOString()},${end ? end.toISOString() : ''})`;
}

/** The changes of one transaction (meeting, attendees, exceptions, occurrences, idempotency key). */
export class MeetingsTx {
  constructor(private readonly m: EntityManager) {}

  async lock(id: string): Promise<MeetingEntity | null> {
    return this.m
      .getRepository(MeetingEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  insert(values: MeetingValues): Promise<MeetingEntity> {
    const repo = this.m.getRepository(MeetingEntity);
    return repo.save(repo.create(values));
  }

  async update(id: string, values: Partial<MeetingValues>): Promise<void> {
    await this.m.getRepository(MeetingEntity).update({ id }, values);
  }

  /** Replaces the attendee list, keeping the RSVP of those who stay. */
  async replaceAttendees(meetingId: string, attendees: AttendeeInput[]): Promise<void> {
    const repo = this.m.getRepository(MeetingAttendeeEntity);
    const existing = await repo.findBy({ meetingId });
    const keep = new Set(attendees.map((a) => a.email.toLowerCase()));
    const gone = existing.filter((e) => !keep.has(e.email.toLowerCase()));
    if (gone.length) await repo.delete(gone.map((g) => g.id));
    for (const a of attendees) {
      const found = existing.find((e) => e.email.toLowerCase() === a.email.toLowerCase());
      if (found)
        await repo.update({ id: found.id }, { name: a.name, userId: a.userId ?? found.userId });
      else await repo.insert({ meetingId, email: a.email, name: a.name, userId: a.userId });
    }
  }

  async clearExceptions(meetingId: string): Promise<void> {
    await this.m.getRepository(MeetingExceptionEntity).delete({ meetingId });
  }

  async upsertException(
    values: Omit<MeetingExceptionEntity, 'createdAt' | 'updatedAt'>,
  ): Promise<void> {
    await this.m
      .createQueryBuilder()
      .insert()
      .into(MeetingExceptionEntity)
      .values(values)
      .orUpdate(
        ['cancelled', 'starts_at', 'ends_at', 'title', 'description', 'updated_at'],
        ['meeting_id', 'recurrence_id'],
      )
      .execute();
  }

  /** The occurrences that the exclusion constraint checks; raises 23P01 on an overlap. */
  async replaceOccurrences(
    meetingId: string,
    organizerId: string,
    occurrences: Array<{ recurrenceId: Date; start: Date; end: Date }>,
  ): Promise<void> {
    await this.m.getRepository(MeetingOccurrenceEntity).delete({ meetingId });
    for (let i = 0; i < occurrences.length; i += 500) {
      const chunk = occurrences.slice(i, i + 500);
      await this.m
        .createQueryBuilder()
        .insert()
        .into(MeetingOccurrenceEntity)
        .values(
          chunk.map((o) => ({
            meetingId,
            organizerId,
            recurrenceId: o.recurrenceId,
            during: rangeLiteral(o.start, o.end),
            cancelled: false,
          })),
        )
        .execute();
    }
  }
}

@Injectable()
export class MeetingsRepository {
  constructor(
    @InjectRepository(MeetingEntity) private readonly meetings: Repository<MeetingEntity>,
    @InjectRepository(MeetingAttendeeEntity)
    private readonly attendees: Repository<MeetingAttendeeEntity>,
    @InjectRepository(MeetingExceptionEntity)
    private readonly exceptions: Repository<MeetingExceptionEntity>,
  ) {}

  transaction<T>(fn: (tx: MeetingsTx) => Promise<T>): Promise<T> {
    return this.meetings.manager.transaction((m) => fn(new MeetingsTx(m)));
  }

  async findRecord(id: string): Promise<MeetingRecord | null> {
    const meeting = await this.meetings.findOneBy({ id });
    if (!meeting) return null;
    return (await this.withChildren([meeting]))[0];
  }

  private async withChildren(meetings: MeetingEntity[]): Promise<MeetingRecord[]> {
    if (!meetings.length) return [];
    const ids = meetings.map((m) => m.id);
    const [attendees, exceptions] = await Promise.all([
      this.attendees
        .createQueryBuilder('a')
        .where('a.meeting_id IN (:...ids)', { ids })
        .orderBy('a.created_at', 'ASC')
        .addOrderBy('a.email', 'ASC')
        .getMany(),
      this.exceptions
        .createQueryBuilder('x')
        .where('x.meeting_id IN (:...ids)', { ids })
        .orderBy('x.recurrence_id', 'ASC')
        .getMany(),
    ]);
    return meetings.map((meeting) => ({
      meeting,
      attendees: attendees.filter((a) => a.meetingId === meeting.id),
      exceptions: exceptions.filter((x) => x.meetingId === meeting.id),
    }));
  }

  /**
   * Confirmed meetings a user organizes or attends (by account, or by email
   * for invitations sent before their first login) whose span meets [from, to).
   */
  async listForUser(
    user: { id: string; email: string | null },
    from: Date,
    to: Date | null,
    opts: { excludeDeclined?: boolean } = {},
  ): Promise<MeetingRecord[]> {
    const q = this.meetings
      .createQueryBuilder('m')
      .where(`m.status = 'confirmed'`)
      .andWhere('m.span && tstzrange(:from, :to)', { from, to })
      .andWhere(
        new Brackets((w) => {
          w.where('m.organizer_id = :uid', { uid: user.id }).orWhere(
            `EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.meeting_id = m.id
               AND (a.user_id = :uid OR (a.user_id IS NULL AND a.email = :email))
               ${opts.excludeDeclined ? `AND a.partstat <> 'DECLINED'` : ''})`,
            { email: user.email ?? '' },
          );
        }),
      )
      .orderBy('m.starts_at', 'ASC')
      .limit(2000);
    return this.withChildren(await q.getMany());
  }

  /** After an exclusion violation: one committed meeting of the organizer overlapping any of the ranges. */
  async findConflict(
    organizerId: string,
    ranges: Array<{ start: Date; end: Date }>,
    exceptMeetingId: string | null,
  ): Promise<string | null> {
    const rows: Array<{ meeting_id: string }> = await this.meetings.query(
      `SELECT o.meeting_id FROM meeting_occurrences o
       WHERE o.organizer_id = $1 AND NOT o.cancelled AND ($4::uuid IS NULL OR o.meeting_id <> $4)
         AND EXISTS (SELECT 1 FROM unnest($2::timestamptz[], $3::timestamptz[]) r(s, e) WHERE o.during && tstzrange(r.s, r.e))
       ORDER BY lower(o.during) LIMIT 1`,
      [organizerId, ranges.map((r) => r.start), ranges.map((r) => r.end), exceptMeetingId],
    );
    return rows[0]?.meeting_id ?? null;
  }

  async findAttendee(
    meetingId: string,
    user: { id: string; email: string | null },
  ): Promise<MeetingAttendeeEntity | null> {
    return this.attendees
      .createQueryBuilder('a')
      .where('a.meeting_id = :meetingId', { meetingId })
      .andWhere(
        new Brackets((w) =>
          w
            .where('a.user_id = :uid', { uid: user.id })
            .orWhere('(a.user_id IS NULL AND a.email = :email)', { email: user.email ?? '' }),
        ),
      )
      .getOne();
  }

  async setPartstat(attendeeId: string, userId: string, partstat: PartStat): Promise<void> {
    await this.attendees.update({ id: attendeeId }, { partstat, userId });
  }
}
