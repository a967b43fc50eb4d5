import { RRule, type Options } from 'rrule';
import { fromWallClock, fromWallClockMillis, toWallClock, wallClockMillis } from './zoned-time';

/**
 * Recurrence expansion with the `rrule` library, DST-correct: the rule runs on
 * floating wall-clock times (a 10:00 meeting stays at 10:00 local time across
 * daylight saving changes, as RFC 5545 says for a DTSTART with a TZID), and
 * each occurrence is then placed in the meeting's zone.
 */

export class RecurrenceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OccurrenceOverride {
  recurrenceId: Date;
  cancelled: boolean;
  start: Date | null;
  end: Date | null;
}

export interface SeriesSpec {
  start: Date;
  end: Date;
  timeZone: string;
  rrule: string | null;
  exdates: Date[];
  overrides: OccurrenceOverride[];
}

export interface Occurrence {
  /** The original start of the occurrence (its RECURRENCE-ID); the start itself for single meetings. */
  recurrenceId: Date;
  start: Date;
  end: Date;
  overridden: boolean;
}

const ALLOWED_FREQ = new Set([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);
/** Past this many occurrences a series counts as unbounded (span) and expansion stops. */
export const MAX_OCCURRENCES = 3000;

/**
 * Validates an RRULE value (with or without the `RRULE:` prefix) and returns
 * it normalized without the prefix. Throws RecurrenceError (`invalid_rrule`).
 */
export function normalizeRrule(input: string): string {
  const value = input.trim().replace(/^RRULE:/i, '');
  if (!value || /[\r\n]/.test(value) || /(^|;)(DTSTART|TZID)=/i.test(value) || value.length > 500) {
    throw new RecurrenceError(
      'invalid_rrule',
      'RRULE must be one rule line such as FREQ=WEEKLY;BYDAY=MO',
    );
  }
  let options: Partial<Options>;
  try {
    options = RRule.parseString(value.toUpperCase());
  } catch (e) {
    throw new RecurrenceError('invalid_rrule', `Invalid RRULE: ${(e as Error).message}`);
  }
  if (options.freq === undefined || !ALLOWED_FREQ.has(options.freq)) {
    throw new RecurrenceError(
      'invalid_rrule',
      'RRULE FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY',
    );
  }
  if (
    options.count !== undefined &&
    options.count !== null &&
    (options.count < 1 || options.count > 1000)
  ) {
    throw new RecurrenceError('invalid_rrule', 'RRULE COUNT must be between 1 and 1000');
  }
  if (options.interval !== undefined && (options.interval < 1 || options.interval > 1000)) {
    throw new RecurrenceError('invalid_rrule', 'RRULE INTERVAL must be between 1 and 1000');
  }
  if (options.count && options.until) {
    throw new RecurrenceError('invalid_rrule', 'RRULE cannot have both COUNT and UNTIL');
  }
  if (options.until && isNaN(options.until.getTime())) {
    throw new RecurrenceError('invalid_rrule', 'RRULE UNTIL is not a valid date');
  }
  return RRule.optionsToString(options).replace(/^RRULE:/, '');
}

function ruleFor(spec: SeriesSpec): RRule {
  const options = RRule.parseString(spec.rrule!);
  const floatingStart = new Date(wallClockMillis(toWallClock(spec.start, spec.timeZone)));
  // UNTIL is an instant (UTC); the rule runs on wall-clock values.
  const until = options.until
    ? new Date(wallClockMillis(toWallClock(options.until, spec.timeZone)))
    : null;
  return new RRule({ ...options, dtstart: floatingStart, until, tzid: null });
}

function place(floating: Date, timeZone: string): Date {
  return fromWallClock(fromWallClockMillis(floating.getTime()), timeZone);
}

/** The series' own occurrences (before exceptions) whose original start lies in [from, to]. */
function baseStarts(spec: SeriesSpec, from: Date, to: Date): Date[] {
  const rule = ruleFor(spec);
  const pad = 2 * 86_400_000;
  const out: Date[] = [];
  rule.between(new Date(from.getTime() - pad), new Date(to.getTime() + pad), true, (d) => {
    const at = place(d, spec.timeZone);
    if (at >= from && at <= to) out.push(at);
    return out.length < MAX_OCCURRENCES;
  });
  return out;
}

/** True when `at` is an occurrence of the series (the start of a single meeting). */
export function isOccurrence(spec: SeriesSpec, at: Date): boolean {
  if (!spec.rrule) return at.getTime() === spec.start.getTime();
  return baseStarts(spec, at, at).some((d) => d.getTime() === at.getTime());
}

/** The first occurrence of a rule must be the meeting's start (else clients disagree on the series). */
export function startsOnRule(spec: SeriesSpec): boolean {
  if (!spec.rrule) return true;
  const first = baseStarts(spec, spec.start, new Date(spec.start.getTime() + 1))[0];
  return first?.getTime() === spec.start.getTime();
}

/** Occurrences overlapping [from, to), exceptions applied, sorted by start. */
export function expand(spec: SeriesSpec, from: Date, to: Date): Occurrence[] {
  const duration = spec.end.getTime() - spec.start.getTime();
  if (!spec.rrule) {
    return spec.start < to && spec.end > from
      ? [{ recurrenceId: spec.start, start: spec.start, end: spec.end, overridden: false }]
      : [];
  }
  const excluded = new Set(spec.exdates.map((d) => d.getTime()));
  const overrides = new Map(spec.overrides.map((o) => [o.recurrenceId.getTime(), o]));
  const out: Occurrence[] = [];
  for (const start of baseStarts(spec, new Date(from.getTime() - duration), to)) {
    if (excluded.has(start.getTime()) || overrides.has(start.getTime())) continue;
    const end = new Date(start.getTime() + duration);
    if (start < to && end > from) out.push({ recurrenceId: start, start, end, overridden: false });
  }
  // Moved occurrences may land in the window from anywhere.
  for (const o of spec.overrides) {
    if (o.cancelled || excluded.has(o.recurrenceId.getTime())) continue;
    const start = o.start ?? o.recurrenceId;
    const end = o.end ?? new Date(start.getTime() + duration);
    if (start < to && end > from)
      out.push({ recurrenceId: o.recurrenceId, start, end, overridden: true });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/**
 * The time the whole series covers: from its earliest start to its latest end,
 * `end: null` when the rule is unbounded (or longer than MAX_OCCURRENCES).
 */
export function seriesSpan(spec: SeriesSpec): { start: Date; end: Date | null } {
  const starts = [
    spec.start,
    ...spec.overrides.filter((o) => !o.cancelled && o.start).map((o) => o.start!),
  ];
  const start = new Date(Math.min(...starts.map((d) => d.getTime())));
  if (!spec.rrule) return { start, end: spec.end };
  const options = RRule.parseString(spec.rrule);
  if (!options.count && !options.until) return { start, end: null };
  const duration = spec.end.getTime() - spec.start.getTime();
  const all = baseStarts(spec, spec.start, new Date(Date.UTC(9000, 0, 1)));
  if (all.length >= MAX_OCCURRENCES) return { start, end: null };
  const ends = [
    spec.end.getTime(),
    ...all.map((d) => d.getTime() + duration),
    ...spec.overrides.filter((o) => !o.cancelled && o.end).map((o) => o.end!.getTime()),
  ];
  return { start, end: new Date(Math.max(...ends)) };
}
