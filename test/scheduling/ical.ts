import ICAL from 'ical.js';

/** An .ics parsed by ical.js (a real RFC 5545 parser), its VTIMEZONEs registered so TZID times resolve. */
export function parseIcs(text: string) {
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtz of root.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const vevents = root.getAllSubcomponents('vevent');
  return { root, vevents };
}

/** The events of one UID: the master (series) and its exceptions (RECURRENCE-ID). */
export function seriesOf(text: string, uid?: string) {
  const { root, vevents } = parseIcs(text);
  const mine = vevents.filter((v) => !uid || v.getFirstPropertyValue('uid') === uid);
  const masterComp = mine.find((v) => !v.hasProperty('recurrence-id'));
  if (!masterComp) throw new Error('no master VEVENT');
  const exceptions = mine.filter((v) => v.hasProperty('recurrence-id'));
  const event = new ICAL.Event(masterComp, {
    exceptions: exceptions.map((x) => new ICAL.Event(x)),
  });
  return { root, master: masterComp, event, exceptions };
}

/** Occurrences as ical.js expands them (RRULE, EXDATE, RECURRENCE-ID overrides), as UTC ISO strings. */
export function icalOccurrences(
  text: string,
  uid?: string,
  max = 100,
): Array<{ start: string; end: string; summary: string }> {
  const { event } = seriesOf(text, uid);
  const out: Array<{ start: string; end: string; summary: string }> = [];
  if (!event.isRecurring()) {
    return [
      {
        start: event.startDate.toJSDate().toISOString(),
        end: event.endDate.toJSDate().toISOString(),
        summary: event.summary,
      },
    ];
  }
  const it = event.iterator();
  for (let next = it.next(); next && out.length < max; next = it.next()) {
    const d = event.getOccurrenceDetails(next);
    out.push({
      start: d.startDate.toJSDate().toISOString(),
      end: d.endDate.toJSDate().toISOString(),
      summary: d.item.summary,
    });
  }
  return out;
}
