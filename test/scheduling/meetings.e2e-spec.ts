import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { icalOccurrences, parseIcs, seriesOf } from './ical';

const PARIS = 'Europe/Paris';

describe('meetings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = (u: TestUser, body: Record<string, unknown>) =>
    as(t, u.cookie)
      .post('/api/v1/meetings')
      .send({ title: 'Point hebdo', timeZone: PARIS, ...body });

  it('creates a meeting with its own room and returns it', async () => {
    const u = await newUser(t);
    const res = await create(u, {
      start: '2026-02-02T10:00',
      end: '2026-02-02T11:00',
      description: 'Ordre du jour',
    }).expect(201);
    expect(res.body).toMatchObject({
      title: 'Point hebdo',
      start: '2026-02-02T09:00:00.000Z',
      end: '2026-02-02T10:00:00.000Z',
      timeZone: PARIS,
      rrule: null,
      status: 'confirmed',
      sequence: 0,
      organizer: { id: u.user.id, email: u.user.email },
    });
    expect(res.body.room.joinUrl).toMatch(new RegExp(`^${t.url}/r/[a-z]{3}-[a-z]{4}-[a-z]{3}$`));
    const got = await as(t, u.cookie).get(`/api/v1/meetings/${res.body.id}`).expect(200);
    expect(got.body.id).toBe(res.body.id);
  });

  describe('bad input', () => {
    let u: TestUser;
    beforeAll(async () => {
      u = await newUser(t);
    });
    const detail = (res: request.Response, path: string) =>
      (res.body.details as Array<{ path: string; code: string }>).find((d) => d.path === path);

    it.each([
      [
        'unknown time zone',
        { timeZone: 'Europe/Atlantis', start: '2026-02-03T10:00', end: '2026-02-03T11:00' },
        'timeZone',
        'invalid_time_zone',
      ],
      [
        'end before start',
        { start: '2026-02-03T10:00', end: '2026-02-03T09:00' },
        'end',
        'end_before_start',
      ],
      [
        'end equal to start',
        { start: '2026-02-03T10:00', end: '2026-02-03T10:00' },
        'end',
        'end_before_start',
      ],
      [
        'invalid RRULE',
        { start: '2026-02-03T10:00', end: '2026-02-03T11:00', rrule: 'FREQ=SOMETIMES' },
        'rrule',
        'invalid_rrule',
      ],
      [
        'unknown RRULE part',
        { start: '2026-02-03T10:00', end: '2026-02-03T11:00', rrule: 'FREQ=WEEKLY;COLOR=RED' },
        'rrule',
        'invalid_rrule',
      ],
      [
        'RRULE not matching the start',
        { start: '2026-02-03T10:00', end: '2026-02-03T11:00', rrule: 'FREQ=WEEKLY;BYDAY=MO' },
        'rrule',
        'rrule_start_mismatch',
      ],
      [
        'overlong title',
        { title: 'x'.repeat(201), start: '2026-02-03T10:00', end: '2026-02-03T11:00' },
        'title',
        'too_big',
      ],
      [
        'malformed attendee email',
        {
          start: '2026-02-03T10:00',
          end: '2026-02-03T11:00',
          attendees: [{ email: 'not-an-email' }],
        },
        'attendees.0.email',
        'invalid_format',
      ],
      ['malformed date', { start: 'tomorrow', end: '2026-02-03T11:00' }, 'start', 'invalid_union'],
      [
        'exdate outside the series',
        {
          start: '2026-02-03T10:00',
          end: '2026-02-03T11:00',
          rrule: 'FREQ=DAILY;COUNT=3',
          exdates: ['2026-02-10T10:00'],
        },
        'exdates.0',
        'invalid_exdate',
      ],
    ])('%s → 400 with a field code', async (_, body, path, code) => {
      const res = await create(u, body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(detail(res, path)).toMatchObject({ code });
    });

    it('refuses unknown fields and too wide listing windows', async () => {
      expect(
        (
          await create(u, {
            start: '2026-02-03T10:00',
            end: '2026-02-03T11:00',
            color: 'red',
          }).expect(400)
        ).body.code,
      ).toBe('validation_failed');
      const res = await as(t, u.cookie)
        .get('/api/v1/meetings?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z')
        .expect(400);
      expect(detail(res, 'to')).toMatchObject({ code: 'range_too_wide' });
      const inverted = await as(t, u.cookie)
        .get('/api/v1/meetings?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')
        .expect(400);
      expect(detail(inverted, 'to')).toMatchObject({ code: 'invalid_range' });
      await as(t, u.cookie)
        .get('/api/v1/meetings?from=yesterday&to=2026-01-01T00:00:00Z')
        .expect(400);
    });
  });

  describe('conflicts', () => {
    it('refuses an overlapping meeting of the same organizer with 409 and the conflicting id', async () => {
      const u = await newUser(t);
      const first = await create(u, { start: '2026-03-02T10:00', end: '2026-03-02T11:00' }).expect(
        201,
      );
      const res = await create(u, { start: '2026-03-02T10:30', end: '2026-03-02T11:30' }).expect(
        409,
      );
      expect(res.body).toMatchObject({
        code: 'meeting_conflict',
        details: { conflictingMeetingId: first.body.id },
      });
      // Back to back is fine, and another organizer is not concerned.
      await create(u, { start: '2026-03-02T11:00', end: '2026-03-02T12:00' }).expect(201);
      const other = await newUser(t);
      await create(other, { start: '2026-03-02T10:00', end: '2026-03-02T11:00' }).expect(201);
    });

    it('lets exactly one of two parallel overlapping bookings succeed', async () => {
      const u = await newUser(t);
      const results = await Promise.all([
        create(u, { title: 'A', start: '2026-03-03T10:00', end: '2026-03-03T11:00' }),
        create(u, { title: 'B', start: '2026-03-03T10:30', end: '2026-03-03T11:30' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = results.find((r) => r.status === 201)!;
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.details.conflictingMeetingId).toBe(winner.body.id);
      const list = await as(t, u.cookie)
        .get('/api/v1/meetings?from=2026-03-03T00:00:00Z&to=2026-03-04T00:00:00Z')
        .expect(200);
      expect(list.body.items).toHaveLength(1);
    });

    it('checks recurring meetings over their expanded occurrences (after the DST change too)', async () => {
      const u = await newUser(t);
      const series = await create(u, {
        start: '2026-03-16T10:00',
        end: '2026-03-16T11:00',
        rrule: 'FREQ=WEEKLY',
      }).expect(201);
      // 6 April 2026 10:30 Paris (CEST) = 08:30Z: inside the 10:00-11:00 local occurrence.
      const res = await create(u, {
        start: '2026-04-06T08:30:00Z',
        end: '2026-04-06T09:00:00Z',
      }).expect(409);
      expect(res.body.details.conflictingMeetingId).toBe(series.body.id);
      // 09:00Z is 11:00 local: right after the occurrence.
      await create(u, { start: '2026-04-06T09:00:00Z', end: '2026-04-06T09:30:00Z' }).expect(201);
    });

    it('frees the slot when a meeting is cancelled', async () => {
      const u = await newUser(t);
      const m = await create(u, { start: '2026-03-04T10:00', end: '2026-03-04T11:00' }).expect(201);
      await as(t, u.cookie).post(`/api/v1/meetings/${m.body.id}/cancel`).expect(200);
      await create(u, { start: '2026-03-04T10:00', end: '2026-03-04T11:00' }).expect(201);
    });
  });

  describe('recurrence across the Europe/Paris DST changes', () => {
    it('keeps a weekly 10:00 meeting at 10:00 local time in the listing and in the .ics', async () => {
      const u = await newUser(t);
      const m = await create(u, {
        start: '2026-03-16T10:00',
        end: '2026-03-16T11:00',
        rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6',
      }).expect(201);
      const list = await as(t, u.cookie)
        .get('/api/v1/meetings?from=2026-03-01T00:00:00Z&to=2026-05-01T00:00:00Z')
        .expect(200);
      const starts = list.body.items.map((o: { start: string }) => o.start);
      expect(starts).toEqual([
        '2026-03-16T09:00:00.000Z',
        '2026-03-23T09:00:00.000Z',
        // 29 March: clocks go forward, 10:00 is now 08:00Z.
        '2026-03-30T08:00:00.000Z',
        '2026-04-06T08:00:00.000Z',
        '2026-04-13T08:00:00.000Z',
        '2026-04-20T08:00:00.000Z',
      ]);

      const ics = await as(t, u.cookie).get(`/api/v1/meetings/${m.body.id}.ics`).expect(200);
      expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
      const { root, master } = seriesOf(ics.text);
      expect(root.getFirstPropertyValue('version')).toBe('2.0');
      expect(root.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe(PARIS);
      expect(master.getFirstProperty('dtstart')!.getParameter('tzid')).toBe(PARIS);
      expect(master.getFirstPropertyValue('uid')).toBe(m.body.uid);
      expect(String(master.getFirstPropertyValue('rrule'))).toContain('FREQ=WEEKLY');
      expect(icalOccurrences(ics.text).map((o) => o.start)).toEqual(starts);
    });

    it('keeps a daily 09:30 meeting at 09:30 across the October change, with EXDATE and a moved occurrence', async () => {
      const u = await newUser(t);
      const m = await create(u, {
        start: '2026-10-22T09:30',
        end: '2026-10-22T10:00',
        rrule: 'FREQ=DAILY;COUNT=7',
        exdates: ['2026-10-24T09:30'],
      }).expect(201);
      // Move the 27 October occurrence to 14:00 local and give it its own title.
      const moved = await as(t, u.cookie)
        .put(
          `/api/v1/meetings/${m.body.id}/occurrences/${encodeURIComponent('2026-10-27T08:30:00Z')}`,
        )
        .send({ start: '2026-10-27T14:00', end: '2026-10-27T14:45', title: 'Point décalé' })
        .expect(200);
      expect(moved.body.sequence).toBe(1);
      // Cancel the 26 October occurrence.
      await as(t, u.cookie)
        .put(
          `/api/v1/meetings/${m.body.id}/occurrences/${encodeURIComponent('2026-10-26T08:30:00Z')}`,
        )
        .send({ cancelled: true })
        .expect(200);

      const list = await as(t, u.cookie)
        .get('/api/v1/meetings?from=2026-10-20T00:00:00Z&to=2026-11-01T00:00:00Z')
        .expect(200);
      const expected = [
        {
          start: '2026-10-22T07:30:00.000Z',
          end: '2026-10-22T08:00:00.000Z',
          summary: 'Point hebdo',
        },
        {
          start: '2026-10-23T07:30:00.000Z',
          end: '2026-10-23T08:00:00.000Z',
          summary: 'Point hebdo',
        },
        // 24th excluded; 25 October: clocks go back, 09:30 is now 08:30Z.
        {
          start: '2026-10-25T08:30:00.000Z',
          end: '2026-10-25T09:00:00.000Z',
          summary: 'Point hebdo',
        },
        // 26th cancelled; 27th moved to 14:00 local.
        {
          start: '2026-10-27T13:00:00.000Z',
          end: '2026-10-27T13:45:00.000Z',
          summary: 'Point décalé',
        },
        {
          start: '2026-10-28T08:30:00.000Z',
          end: '2026-10-28T09:00:00.000Z',
          summary: 'Point hebdo',
        },
      ];
      expect(
        list.body.items.map((o: any) => ({ start: o.start, end: o.end, summary: o.title })),
      ).toEqual(expected);
      expect(list.body.items[3]).toMatchObject({
        overridden: true,
        recurrenceId: '2026-10-27T08:30:00.000Z',
      });

      const ics = await as(t, u.cookie).get(`/api/v1/meetings/${m.body.id}/ics`).expect(200);
      const { master, exceptions } = seriesOf(ics.text);
      expect(master.getFirstPropertyValue('sequence')).toBe(2);
      expect(master.getAllProperties('exdate').length).toBeGreaterThan(0);
      expect(exceptions).toHaveLength(1);
      expect(
        (exceptions[0].getFirstPropertyValue('recurrence-id') as any).toJSDate().toISOString(),
      ).toBe('2026-10-27T08:30:00.000Z');
      expect(icalOccurrences(ics.text)).toEqual(expected);
    });

    it('rejects overriding a time that is not an occurrence', async () => {
      const u = await newUser(t);
      const m = await create(u, {
        start: '2026-05-04T10:00',
        end: '2026-05-04T11:00',
        rrule: 'FREQ=WEEKLY;COUNT=3',
      }).expect(201);
      const res = await as(t, u.cookie)
        .put(
          `/api/v1/meetings/${m.body.id}/occurrences/${encodeURIComponent('2026-05-05T08:00:00Z')}`,
        )
        .send({ cancelled: true })
        .expect(404);
      expect(res.body.code).toBe('occurrence_not_found');
      const single = await create(u, { start: '2026-05-20T10:00', end: '2026-05-20T11:00' }).expect(
        201,
      );
      const r2 = await as(t, u.cookie)
        .put(
          `/api/v1/meetings/${single.body.id}/occurrences/${encodeURIComponent('2026-05-20T08:00:00Z')}`,
        )
        .send({ cancelled: true })
        .expect(400);
      expect(r2.body.code).toBe('meeting_not_recurring');
    });
  });

  describe('.ics export', () => {
    it('carries UID, SEQUENCE, LOCATION/URL, ORGANIZER and ATTENDEE with PARTSTAT, and SEQUENCE grows on every change', async () => {
      const org = await newUser(t, { givenName: 'Alice', usualName: 'Martin' });
      const guest = await newUser(t);
      const m = await create(org, {
        start: '2026-06-01T14:00',
        end: '2026-06-01T15:00',
        attendees: [{ email: guest.user.email, name: 'Bob' }, { email: 'externe@example.org' }],
      }).expect(201);
      await as(t, guest.cookie)
        .post(`/api/v1/meetings/${m.body.id}/rsvp`)
        .send({ partstat: 'ACCEPTED' })
        .expect(200);

      let ics = await as(t, org.cookie).get(`/api/v1/meetings/${m.body.id}.ics`).expect(200);
      let ev = parseIcs(ics.text).vevents[0];
      expect(ev.getFirstPropertyValue('uid')).toBe(m.body.uid);
      expect(ev.getFirstPropertyValue('sequence')).toBe(0);
      expect(ev.getFirstPropertyValue('location')).toBe(m.body.room.joinUrl);
      expect(ev.getFirstPropertyValue('url')).toBe(m.body.room.joinUrl);
      expect(String(ev.getFirstPropertyValue('organizer')).toLowerCase()).toBe(
        `mailto:${org.user.email}`,
      );
      expect(ev.getFirstProperty('organizer')!.getParameter('cn')).toBe('Alice Martin');
      const attendees = ev.getAllProperties('attendee').map((p) => ({
        who: String(p.getFirstValue()).toLowerCase(),
        partstat: p.getParameter('partstat'),
      }));
      expect(attendees).toEqual(
        expect.arrayContaining([
          { who: `mailto:${guest.user.email}`, partstat: 'ACCEPTED' },
          { who: 'mailto:externe@example.org', partstat: 'NEEDS-ACTION' },
        ]),
      );
      expect(icalOccurrences(ics.text)).toEqual([
        {
          start: '2026-06-01T12:00:00.000Z',
          end: '2026-06-01T13:00:00.000Z',
          summary: 'Point hebdo',
        },
      ]);

      const patched = await as(t, org.cookie)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .send({ title: 'Revue', start: '2026-06-01T15:00', end: '2026-06-01T16:00' })
        .expect(200);
      expect(patched.body.sequence).toBe(1);
      await as(t, org.cookie).post(`/api/v1/meetings/${m.body.id}/cancel`).expect(200);
      ics = await as(t, org.cookie).get(`/api/v1/meetings/${m.body.id}.ics`).expect(200);
      ev = parseIcs(ics.text).vevents[0];
      expect(ev.getFirstPropertyValue('uid')).toBe(m.body.uid);
      expect(ev.getFirstPropertyValue('sequence')).toBe(2);
      expect(ev.getFirstPropertyValue('status')).toBe('CANCELLED');
      expect(ev.getFirstPropertyValue('summary')).toBe('Revue');
    });

    it('writes UTC times for UTC meetings', async () => {
      const u = await newUser(t);
      const m = await create(u, {
        timeZone: 'UTC',
        start: '2026-07-01T10:00:00Z',
        end: '2026-07-01T11:00:00Z',
        rrule: 'FREQ=DAILY;COUNT=2',
      }).expect(201);
      const ics = await as(t, u.cookie).get(`/api/v1/meetings/${m.body.id}.ics`).expect(200);
      expect(ics.text).toContain('DTSTART:20260701T100000Z');
      expect(parseIcs(ics.text).root.getFirstSubcomponent('vtimezone')).toBeNull();
      expect(icalOccurrences(ics.text).map((o) => o.start)).toEqual([
        '2026-07-01T10:00:00.000Z',
        '2026-07-02T10:00:00.000Z',
      ]);
    });
  });

  describe('access', () => {
    it("answers 404 for another user's meeting, whatever the verb", async () => {
      const owner = await newUser(t);
      const stranger = await newUser(t);
      const m = await create(owner, { start: '2026-08-03T10:00', end: '2026-08-03T11:00' }).expect(
        201,
      );
      const id = m.body.id;
      const s = as(t, stranger.cookie);
      for (const res of [
        await s.get(`/api/v1/meetings/${id}`),
        await s.get(`/api/v1/meetings/${id}.ics`),
        await s.patch(`/api/v1/meetings/${id}`).send({ title: 'Pris' }),
        await s.post(`/api/v1/meetings/${id}/cancel`),
        await s.post(`/api/v1/meetings/${id}/rsvp`).send({ partstat: 'ACCEPTED' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('meeting_not_found');
      }
      const missing = await s
        .get('/api/v1/meetings/00000000-0000-4000-8000-000000000000')
        .expect(404);
      expect(missing.body.code).toBe('meeting_not_found');
      await request(t.url).get(`/api/v1/meetings/${id}`).expect(401);
    });

    it('lets attendees see the meeting, answer, but not change it', async () => {
      const owner = await newUser(t);
      const attendee = await newUser(t);
      const m = await create(owner, {
        start: '2026-08-04T10:00',
        end: '2026-08-04T11:00',
        attendees: [{ email: attendee.user.email }],
      }).expect(201);
      const list = await as(t, attendee.cookie)
        .get('/api/v1/meetings?from=2026-08-04T00:00:00Z&to=2026-08-05T00:00:00Z')
        .expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ meetingId: m.body.id, role: 'attendee' }),
      ]);
      const res = await as(t, attendee.cookie)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .send({ title: 'Pris' })
        .expect(403);
      expect(res.body.code).toBe('not_organizer');
      const rsvp = await as(t, attendee.cookie)
        .post(`/api/v1/meetings/${m.body.id}/rsvp`)
        .send({ partstat: 'DECLINED' })
        .expect(200);
      expect(rsvp.body.attendees[0].partstat).toBe('DECLINED');
      await as(t, attendee.cookie)
        .post(`/api/v1/meetings/${m.body.id}/rsvp`)
        .send({ partstat: 'MAYBE' })
        .expect(400);
    });
  });

  describe('changes', () => {
    it('updates occurrences and attendees, and cancelling removes the occurrences', async () => {
      const u = await newUser(t);
      const a = await newUser(t);
      const b = await newUser(t);
      const m = await create(u, {
        start: '2026-09-07T10:00',
        end: '2026-09-07T11:00',
        rrule: 'FREQ=WEEKLY;COUNT=3',
        attendees: [{ email: a.user.email }],
      }).expect(201);
      const window = '/api/v1/meetings?from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z';
      const updated = await as(t, u.cookie)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .send({ rrule: 'FREQ=WEEKLY;COUNT=2', attendees: [{ email: b.user.email }] })
        .expect(200);
      expect(updated.body.attendees.map((x: any) => x.email)).toEqual([b.user.email]);
      expect((await as(t, u.cookie).get(window)).body.items).toHaveLength(2);
      expect((await as(t, a.cookie).get(window)).body.items).toHaveLength(0);
      expect((await as(t, b.cookie).get(window)).body.items).toHaveLength(2);
      await as(t, a.cookie).get(`/api/v1/meetings/${m.body.id}`).expect(404);

      const cancelled = await as(t, u.cookie)
        .post(`/api/v1/meetings/${m.body.id}/cancel`)
        .expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', sequence: 2 });
      expect((await as(t, u.cookie).get(window)).body.items).toHaveLength(0);
      const again = await as(t, u.cookie).delete(`/api/v1/meetings/${m.body.id}`).expect(200);
      expect(again.body.sequence).toBe(2);
      const patch = await as(t, u.cookie)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .send({ title: 'x' })
        .expect(409);
      expect(patch.body.code).toBe('meeting_cancelled');
    });

    it('refuses a change that would overlap another meeting (409), leaving the meeting unchanged', async () => {
      const u = await newUser(t);
      const a = await create(u, { start: '2026-09-14T10:00', end: '2026-09-14T11:00' }).expect(201);
      const b = await create(u, { start: '2026-09-14T12:00', end: '2026-09-14T13:00' }).expect(201);
      const res = await as(t, u.cookie)
        .patch(`/api/v1/meetings/${b.body.id}`)
        .send({ start: '2026-09-14T10:30', end: '2026-09-14T11:30' })
        .expect(409);
      expect(res.body.details.conflictingMeetingId).toBe(a.body.id);
      const still = await as(t, u.cookie).get(`/api/v1/meetings/${b.body.id}`).expect(200);
      expect(still.body).toMatchObject({ start: '2026-09-14T10:00:00.000Z', sequence: 0 });
    });
  });

  describe('free/busy', () => {
    it('returns merged busy intervals, declined meetings excluded', async () => {
      const u = await newUser(t);
      const other = await newUser(t);
      await create(u, { start: '2026-11-02T09:00', end: '2026-11-02T10:00' }).expect(201);
      await create(u, { start: '2026-11-02T10:00', end: '2026-11-02T10:30' }).expect(201);
      await create(u, {
        start: '2026-11-02T14:00',
        end: '2026-11-02T15:00',
        rrule: 'FREQ=DAILY;COUNT=2',
      }).expect(201);
      const invited = await create(other, {
        start: '2026-11-02T16:00',
        end: '2026-11-02T17:00',
        attendees: [{ email: u.user.email }],
      }).expect(201);
      const declinedOne = await create(other, {
        start: '2026-11-02T18:00',
        end: '2026-11-02T19:00',
        attendees: [{ email: u.user.email }],
      }).expect(201);
      await as(t, u.cookie)
        .post(`/api/v1/meetings/${declinedOne.body.id}/rsvp`)
        .send({ partstat: 'DECLINED' })
        .expect(200);
      expect(invited.status).toBe(201);

      const res = await as(t, u.cookie)
        .get('/api/v1/users/me/free-busy?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z')
        .expect(200);
      expect(res.body.busy).toEqual([
        { start: '2026-11-02T08:00:00.000Z', end: '2026-11-02T09:30:00.000Z' },
        { start: '2026-11-02T13:00:00.000Z', end: '2026-11-02T14:00:00.000Z' },
        { start: '2026-11-02T15:00:00.000Z', end: '2026-11-02T16:00:00.000Z' },
      ]);
      const wide = await as(t, u.cookie)
        .get('/api/v1/users/me/free-busy?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z')
        .expect(400);
      expect(wide.body.code).toBe('validation_failed');
    });
  });
});
