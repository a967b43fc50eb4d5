import {
  fromWallClockMillis,
  offsetAt,
  toWallClock,
  wallClockMillis,
  type WallClock,
} from './zoned-time';

/**
 * VTIMEZONE components (RFC 5545 §3.6.5) built from the ICU time-zone data
 * Node ships, for ical-generator's `timezone.generator` hook (the library
 * leaves the zone definitions to the caller; no tz-to-VTIMEZONE package is in
 * the dependencies). Transitions are found by probing offsets; years that
 * follow the same rule (same month, same n-th/last weekday, same local time,
 * same offsets) collapse into one observance with a yearly RRULE, so calendar
 * clients expand recurring meetings correctly for years to come.
 */

interface Transition {
  at: number; // instant (ms)
  from: number; // offset before (ms)
  to: number; // offset after (ms)
}

interface Observance {
  kind: 'STANDARD' | 'DAYLIGHT';
  from: number;
  to: number;
  start: WallClock; // local time (in the "from" offset) of the first transition
  rule?: { month: number; weekday: number; ordinal: number; until?: number };
}

const DAY = 86_400_000;
const cache = new Map<string, string>();

/** Offset transitions of a zone within [fromMs, toMs). */
export function transitions(timeZone: string, fromMs: number, toMs: number): Transition[] {
  const out: Transition[] = [];
  let prevT = fromMs;
  let prev = offsetAt(prevT, timeZone);
  // Daily probes, then a binary search to the minute (zones change at most a few times a year).
  for (let t = fromMs + DAY; t <= toMs; t += DAY) {
    const o = offsetAt(t, timeZone);
    if (o !== prev) {
      let lo = prevT;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetAt(mid, timeZone) === prev) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, from: prev, to: o });
      prev = o;
    }
    prevT = t;
  }
  return out;
}

function describe(t: Transition, isDaylight: boolean): Observance {
  const start = fromWallClockMillis(t.at + t.from);
  const weekday = new Date(Date.UTC(start.year, start.month - 1, start.day)).getUTCDay();
  const daysInMonth = new Date(Date.UTC(start.year, start.month, 0)).getUTCDate();
  const ordinal = start.day + 7 > daysInMonth ? -1 : Math.ceil(start.day / 7);
  return {
    kind: isDaylight ? 'DAYLIGHT' : 'STANDARD',
    from: t.from,
    to: t.to,
    start,
    rule: { month: start.month, weekday, ordinal },
  };
}

function sameRule(a: Observance, b: Observance): boolean {
  return (
    a.kind === b.kind &&
    a.from === b.from &&
    a.to === b.to &&
    a.rule!.month === b.rule!.month &&
    a.rule!.weekday === b.rule!.weekday &&
    a.rule!.ordinal === b.rule!.ordinal &&
    a.start.hour === b.start.hour &&
    a.start.minute === b.start.minute
  );
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function offsetText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;
}

function localText(w: WallClock): string {
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

function utcText(ms: number): string {
  return `${localText(fromWallClockMillis(ms))}Z`;
}

/**
 * The VTIMEZONE of `timeZone`, covering transitions from `fromYear` on (the
 * last rules found continue indefinitely). UTC and fixed zones get a single
 * STANDARD observance.
 */
export function vtimezone(timeZone: string, fromYear: number): string {
  const key = `${timeZone}|${fromYear}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(Math.max(fromYear, new Date().getUTCFullYear()) + 3, 0, 1);
  const found = transitions(timeZone, start, end);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];

  if (!found.length) {
    const o = offsetAt(start, timeZone);
    lines.push(
      'BEGIN:STANDARD',
      `DTSTART:${localText({ year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 })}`,
      `TZOFFSETFROM:${offsetText(o)}`,
      `TZOFFSETTO:${offsetText(o)}`,
      'END:STANDARD',
    );
  } else {
    // The larger of the offsets around a transition is daylight saving time.
    const groups: Observance[] = [];
    const lastOf = new Map<Observance, number>();
    for (const t of found) {
      const obs = describe(t, t.to > t.from);
      const open = [...groups].reverse().find((g) => g.kind === obs.kind);
      if (
        open &&
        sameRule(open, obs) &&
        obs.start.year === toWallClock(lastOf.get(open)!, 'UTC').year + 1
      ) {
        lastOf.set(open, t.at);
      } else {
        groups.push(obs);
        lastOf.set(obs, t.at);
      }
    }
    for (const g of groups) {
      const last = lastOf.get(g)!;
      // A rule still in force recurs up to the end of the scan; one that stopped (a zone that
      // dropped DST) gets an UNTIL, so clients do not repeat it forever.
      const openEnded =
        end - last < 400 * DAY &&
        found
          .filter((t) => t.at > last)
          .every((t) => (t.to > t.from ? 'DAYLIGHT' : 'STANDARD') !== g.kind);
      const single = last === wallClockMillis(g.start) - g.from;
      lines.push(
        `BEGIN:${g.kind}`,
        `DTSTART:${localText(g.start)}`,
        `TZOFFSETFROM:${offsetText(g.from)}`,
        `TZOFFSETTO:${offsetText(g.to)}`,
      );
      if (!single || openEnded) {
        const r = g.rule!;
        const until = openEnded ? '' : `;UNTIL=${utcText(last)}`;
        lines.push(
          `RRULE:FREQ=YEARLY;BYMONTH=${r.month};BYDAY=${r.ordinal}${DAYS[r.weekday]}${until}`,
        );
      }
      lines.push(`END:${g.kind}`);
    }
  }
  lines.push('END:VTIMEZONE');
  const text = lines.join('\r\n') + '\r\n';
  cache.set(key, text);
  return text;
}
