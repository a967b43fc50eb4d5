/**
 * Time-zone arithmetic on top of the ICU data that ships with Node
 * (`Intl.DateTimeFormat` with `timeZone`). No Temporal on Node 24 and no
 * tz package in the dependencies, so this small module is the one place that
 * turns instants into wall-clock times of an IANA zone and back.
 */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a zone name ICU knows (IANA names and their links; "UTC" included). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a zone. */
export function toWallClock(instant: Date | number, timeZone: string): WallClock {
  const parts = formatter(timeZone).formatToParts(
    typeof instant === 'number' ? instant : instant.getTime(),
  );
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  return {
    year,
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** A wall-clock time read as if it were UTC (the "floating" representation). */
export function wallClockMillis(w: WallClock): number {
  const d = new Date(Date.UTC(2000, w.month - 1, w.day, w.hour, w.minute, w.second));
  d.setUTCFullYear(w.year);
  return d.getTime();
}

export function fromWallClockMillis(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** UTC offset of the zone at an instant, in milliseconds (Paris in summer: +7 200 000). */
export function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClockMillis(toWallClock(whole, timeZone)) - whole;
}

/**
 * The instant a wall-clock time denotes in a zone. Ambiguous times (the hour
 * repeated when clocks go back) take the first, earlier instant; times that do
 * not exist (skipped when clocks go forward) are shifted forward by the gap,
 * as RFC 5545 §3.3.5 prescribes.
 */
export function fromWallClock(w: WallClock, timeZone: string): Date {
  const local = wallClockMillis(w);
  // Try the offsets in force around that moment; keep the candidates that map back.
  const offsets = new Set([
    offsetAt(local - 86_400_000, timeZone),
    offsetAt(local, timeZone),
    offsetAt(local + 86_400_000, timeZone),
  ]);
  const matches = [...offsets]
    .map((o) => local - o)
    .filter((t) => offsetAt(t, timeZone) + t === local)
    .sort((a, b) => a - b);
  if (matches.length) return new Date(matches[0]);
  // In a gap: use the offset from before the transition (it moves the time forward).
  const before = offsetAt(local - 86_400_000, timeZone);
  return new Date(local - before);
}

/**
 * A minimal Temporal.ZonedDateTime look-alike for ical-generator, which
 * formats Temporal values in their own zone (it formats plain Dates in the
 * process's local zone, which is wrong for a server). Only what ical-generator
 * reads is implemented.
 */
export class ZonedValue {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;

  constructor(
    readonly instant: Date,
    readonly timeZoneId: string,
  ) {
    const w = toWallClock(instant, timeZoneId);
    this.year = w.year;
    this.month = w.month;
    this.day = w.day;
    this.hour = w.hour;
    this.minute = w.minute;
    this.second = w.second;
  }

  withTimeZone(timeZone: string): ZonedValue {
    return new ZonedValue(this.instant, timeZone);
  }

  toInstant(): { epochMilliseconds: number } {
    return { epochMilliseconds: this.instant.getTime() };
  }

  toPlainDateTime(): PlainValue {
    return new PlainValue(this, this.instant);
  }
}

class PlainValue {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;

  constructor(
    w: WallClock,
    private readonly instant: Date,
  ) {
    this.year = w.year;
    this.month = w.month;
    this.day = w.day;
    this.hour = w.hour;
    this.minute = w.minute;
    this.second = w.second;
  }

  toZonedDateTime(timeZone: string): ZonedValue {
    return new ZonedValue(this.instant, timeZone);
  }

  toPlainDate(): { year: number; month: number; day: number } {
    return { year: this.year, month: this.month, day: this.day };
  }
}
