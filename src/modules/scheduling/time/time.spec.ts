import ICAL from 'ical.js';
import { expand, normalizeRrule, RecurrenceError, seriesSpan } from './recurrence';
import { vtimezone } from './vtimezone';
import { fromWallClock, isValidTimeZone, toWallClock } from './zoned-time';

describe('zoned time', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('maps wall-clock times to instants around the Paris DST changes', () => {
    const paris = (d: number, mo: number, h: number, mi = 0) =>
      fromWallClock(
        { year: 2026, month: mo, day: d, hour: h, minute: mi, second: 0 },
        'Europe/Paris',
      ).toISOString();
    expect(paris(28, 3, 10)).toBe('2026-03-28T09:00:00.000Z');
    expect(paris(29, 3, 10)).toBe('2026-03-29T08:00:00.000Z');
    // 02:30 does not exist on 29 March: shifted forward by the gap (03:30 CEST).
    expect(paris(29, 3, 2, 30)).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 25 October: the first one (CEST).
    expect(paris(25, 10, 2, 30)).toBe('2026-10-25T00:30:00.000Z');
    expect(toWallClock(new Date('2026-10-25T01:30:00Z'), 'Europe/Paris')).toMatchObject({
      hour: 2,
      minute: 30,
    });
  });
});

describe('VTIMEZONE', () => {
  it.each([
    'Europe/Paris',
    'America/New_York',
    'Australia/Sydney',
    'Asia/Tokyo',
    'America/Sao_Paulo',
    'Pacific/Chatham',
  ])('gives ical.js the same offsets as ICU for %s', (tz) => {
    const text = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${vtimezone(tz, 2015)}END:VCALENDAR\r\n`;
    const comp = new ICAL.Component(ICAL.parse(text));
    const zone = new ICAL.Timezone(comp.getFirstSubcomponent('vtimezone')!);
    // Local noon every 3 days from 2016 to 2032 (beyond the years scanned: the RRULEs carry on).
    for (let t = Date.UTC(2016, 0, 1); t < Date.UTC(2032, 0, 1); t += 3 * 86_400_000) {
      const d = new Date(t);
      const noon = {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: 12,
        minute: 0,
        second: 0,
      };
      const local = new ICAL.Time({ ...noon, isDate: false }, zone);
      expect([d.toISOString(), local.toJSDate().toISOString()]).toEqual([
        d.toISOString(),
        fromWallClock(noon, tz).toISOString(),
      ]);
    }
  });
});

describe('recurrence', () => {
  const start = new Date('2026-03-16T09:00:00Z');
  const spec = (rrule: string | null) => ({
    start,
    end: new Date(start.getTime() + 3600_000),
    timeZone: 'Europe/Paris',
    rrule,
    exdates: [],
    overrides: [],
  });

  it('normalizes and validates RRULEs', () => {
    expect(normalizeRrule('RRULE:freq=weekly;byday=mo;count=3')).toBe(
      'FREQ=WEEKLY;BYDAY=MO;COUNT=3',
    );
    for (const bad of [
      '',
      'FREQ=HOURLY',
      'FREQ=WEEKLY;COUNT=0',
      'FREQ=DAILY;COUNT=2;UNTIL=20260101T000000Z',
      'DTSTART=20260101;FREQ=DAILY',
      'FREQ=DAILY\nFREQ=WEEKLY',
    ]) {
      expect(() => normalizeRrule(bad)).toThrow(RecurrenceError);
    }
  });

  it('expands in the meeting zone (DST-correct) and spans bounded series', () => {
    const s = spec('FREQ=WEEKLY;UNTIL=20260406T080000Z');
    expect(
      expand(s, new Date('2026-01-01'), new Date('2027-01-01')).map((o) => o.start.toISOString()),
    ).toEqual([
      '2026-03-16T09:00:00.000Z',
      '2026-03-23T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
      '2026-04-06T08:00:00.000Z',
    ]);
    expect(seriesSpan(s).end?.toISOString()).toBe('2026-04-06T09:00:00.000Z');
    expect(seriesSpan(spec('FREQ=DAILY')).end).toBeNull();
    expect(
      expand(spec(null), new Date('2026-03-16T09:30:00Z'), new Date('2026-03-16T09:45:00Z')),
    ).toHaveLength(1);
  });
});
