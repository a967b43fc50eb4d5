import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { as, newGuest, newUser } from '../support/identity';
import { icalOccurrences, parseIcs } from './ical';

describe('calendar feed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const path = (url: string) => new URL(url).pathname;
  // Feeds hold meetings from 90 days ago on: use next year's March DST change (last Sunday of March).
  const Y = new Date().getUTCFullYear() + 1;
  const dstSunday = 31 - new Date(Date.UTC(Y, 2, 31)).getUTCDay();
  const march = (day: number, h: number) => new Date(Date.UTC(Y, 2, day, h)).toISOString();
  const local = (day: number, time: string) => `${Y}-03-${String(day).padStart(2, '0')}T${time}`;

  it('serves the meetings a user organizes and attends to any calendar client, by secret URL', async () => {
    const u = await newUser(t);
    const other = await newUser(t);
    const own = await as(t, u.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Hebdo',
        start: local(dstSunday - 9, '10:00'),
        end: local(dstSunday - 9, '10:30'),
        timeZone: 'Europe/Paris',
        rrule: 'FREQ=WEEKLY;COUNT=3',
      })
      .expect(201);
    const invited = await as(t, other.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Invité',
        start: `${Y}-07-01T15:00`,
        end: `${Y}-07-01T16:00`,
        timeZone: 'America/New_York',
        attendees: [{ email: u.user.email }],
      })
      .expect(201);
    await as(t, other.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Pas pour moi',
        start: local(dstSunday - 9, '15:00'),
        end: local(dstSunday - 9, '16:00'),
        timeZone: 'Europe/Paris',
      })
      .expect(201);

    expect((await as(t, u.cookie).get('/api/v1/users/me/calendar-feed').expect(200)).body).toEqual({
      active: false,
      createdAt: null,
    });
    const created = await as(t, u.cookie).post('/api/v1/users/me/calendar-feed').expect(201);
    expect(created.body.url).toMatch(
      new RegExp(`^${t.url}/api/v1/calendar/feed/[A-Za-z0-9_-]{43}\\.ics$`),
    );
    expect(
      (await as(t, u.cookie).get('/api/v1/users/me/calendar-feed').expect(200)).body.active,
    ).toBe(true);

    const feed = await request(t.url).get(path(created.body.url)).expect(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    const { root, vevents } = parseIcs(feed.text);
    expect(root.getFirstPropertyValue('method')).toBeNull();
    expect(vevents.map((v) => v.getFirstPropertyValue('summary')).sort()).toEqual([
      'Hebdo',
      'Invité',
    ]);
    const tzids = root
      .getAllSubcomponents('vtimezone')
      .map((z) => z.getFirstPropertyValue('tzid'))
      .sort();
    expect(tzids).toEqual(['America/New_York', 'Europe/Paris']);
    // Weekly across the Paris DST change, as the client expands it: 10:00 CET then 10:00 CEST.
    expect(icalOccurrences(feed.text, own.body.uid).map((o) => o.start)).toEqual([
      march(dstSunday - 9, 9),
      march(dstSunday - 2, 9),
      march(dstSunday + 5, 8),
    ]);
    // 15:00 in New York in July (EDT, -4).
    expect(icalOccurrences(feed.text, invited.body.uid)[0].start).toBe(`${Y}-07-01T19:00:00.000Z`);
  });

  it('rotates (old URL 404) and revokes (404)', async () => {
    const u = await newUser(t);
    const first = await as(t, u.cookie).post('/api/v1/users/me/calendar-feed').expect(201);
    await request(t.url).get(path(first.body.url)).expect(200);
    const second = await as(t, u.cookie).post('/api/v1/users/me/calendar-feed').expect(201);
    expect(second.body.url).not.toBe(first.body.url);
    const gone = await request(t.url).get(path(first.body.url)).expect(404);
    expect(gone.body.code).toBe('calendar_feed_not_found');
    await request(t.url).get(path(second.body.url)).expect(200);
    await as(t, u.cookie).delete('/api/v1/users/me/calendar-feed').expect(204);
    await request(t.url).get(path(second.body.url)).expect(404);
    expect(
      (await as(t, u.cookie).get('/api/v1/users/me/calendar-feed').expect(200)).body.active,
    ).toBe(false);
  });

  it('answers 404 to unknown or malformed tokens and keeps feed management for users', async () => {
    await request(t.url).get('/api/v1/calendar/feed/abc.ics').expect(404);
    await request(t.url)
      .get(`/api/v1/calendar/feed/${'A'.repeat(43)}.ics`)
      .expect(404);
    await request(t.url).post('/api/v1/users/me/calendar-feed').expect(401);
    const g = await newGuest(t);
    await as(t, g.cookie).post('/api/v1/users/me/calendar-feed').expect(403);
  });
});
