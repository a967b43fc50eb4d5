import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp';
import { icalOccurrences, parseIcs } from './ical';

describe('invitations by mail (iTIP through a real SMTP server)', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ ...smtp.env, MAIL_BACKOFF_MS: '50' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const to = (email: string) => (m: ReceivedMail) => m.to.includes(email);
  const itip = (m: ReceivedMail) => {
    const part = m.part('text/calendar');
    if (!part) throw new Error('no text/calendar part');
    const { root, vevents } = parseIcs(part.body);
    return { part, root, event: vevents[0], text: part.body };
  };

  it('sends REQUEST on creation, REQUEST on change (CANCEL to removed attendees), CANCEL on cancellation', async () => {
    const org: TestUser = await newUser(t, { givenName: 'Alice', usualName: 'Martin' });
    const bob = 'bob@example.org';
    const carol = 'carol@example.org';
    const dave = 'dave@example.org';
    const created = await as(t, org.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Comité de pilotage',
        description: 'Ordre du jour : budget',
        start: '2026-03-23T10:00',
        end: '2026-03-23T11:00',
        timeZone: 'Europe/Paris',
        rrule: 'FREQ=WEEKLY;COUNT=3',
        attendees: [{ email: bob, name: 'Bob' }, { email: carol }],
      })
      .expect(201);
    const m = created.body;

    const [toBob] = await smtp.waitFor(to(bob));
    await smtp.waitFor(to(carol));
    expect(toBob.to).toEqual([bob]);
    expect(toBob.headers.from).toContain('visio@test.localhost');
    expect(toBob.subject).toBe('Invitation : Comité de pilotage');
    expect(toBob.part('text/plain')!.body).toContain(m.room.joinUrl);
    expect(toBob.part('text/plain')!.body).toContain('Alice Martin vous invite');
    expect(toBob.part('text/html')!.body).toContain(`href="${m.room.joinUrl}"`);
    const inv = itip(toBob);
    expect(inv.part.params.method).toBe('REQUEST');
    expect(inv.root.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(inv.event.getFirstPropertyValue('uid')).toBe(m.uid);
    expect(inv.event.getFirstPropertyValue('sequence')).toBe(0);
    expect(inv.event.getFirstPropertyValue('location')).toBe(m.room.joinUrl);
    expect(String(inv.event.getFirstPropertyValue('organizer')).toLowerCase()).toBe(
      `mailto:${org.user.email}`,
    );
    expect(
      inv.event
        .getAllProperties('attendee')
        .map((p) => String(p.getFirstValue()).toLowerCase())
        .sort(),
    ).toEqual([`mailto:${bob}`, `mailto:${carol}`]);
    // Across the 29 March DST change: 10:00 Paris each week.
    expect(icalOccurrences(inv.text).map((o) => o.start)).toEqual([
      '2026-03-23T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
      '2026-04-06T08:00:00.000Z',
    ]);

    // Change: carol leaves, dave joins, the time moves.
    await as(t, org.cookie)
      .patch(`/api/v1/meetings/${m.id}`)
      .send({
        start: '2026-03-23T14:00',
        end: '2026-03-23T15:00',
        attendees: [{ email: bob, name: 'Bob' }, { email: dave }],
      })
      .expect(200);
    const [update] = await smtp.waitFor((x) => to(bob)(x) && x.subject.startsWith('Mise à jour'));
    const up = itip(update);
    expect(up.part.params.method).toBe('REQUEST');
    expect(up.event.getFirstPropertyValue('uid')).toBe(m.uid);
    expect(up.event.getFirstPropertyValue('sequence')).toBe(1);
    expect(icalOccurrences(up.text)[1].start).toBe('2026-03-30T12:00:00.000Z');
    await smtp.waitFor((x) => to(dave)(x) && x.subject.startsWith('Mise à jour'));
    const [removed] = await smtp.waitFor((x) => to(carol)(x) && x.subject.startsWith('Annulé'));
    const rm = itip(removed);
    expect(rm.root.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(rm.event.getFirstPropertyValue('uid')).toBe(m.uid);
    expect(rm.event.getFirstPropertyValue('sequence')).toBe(1);
    expect(rm.event.getFirstPropertyValue('status')).toBe('CANCELLED');

    await as(t, org.cookie).post(`/api/v1/meetings/${m.id}/cancel`).expect(200);
    const cancels = await smtp.waitFor(
      (x) => x.subject === 'Annulé : Comité de pilotage' && (to(bob)(x) || to(dave)(x)),
      2,
    );
    for (const c of cancels) {
      const x = itip(c);
      expect(x.part.params.method).toBe('CANCEL');
      expect(x.root.getFirstPropertyValue('method')).toBe('CANCEL');
      expect(x.event.getFirstPropertyValue('sequence')).toBe(2);
      expect(x.event.getFirstPropertyValue('uid')).toBe(m.uid);
    }
    // Nothing went to the organizer.
    expect(smtp.messages.filter(to(org.user.email!))).toHaveLength(0);
  });

  it('retries a delivery the SMTP server refuses for a while', async () => {
    const org = await newUser(t);
    const erin = 'erin@example.org';
    smtp.failNext(2);
    await as(t, org.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Retry',
        start: '2026-04-01T10:00',
        end: '2026-04-01T11:00',
        timeZone: 'Europe/Paris',
        attendees: [{ email: erin }],
      })
      .expect(201);
    const [mail] = await smtp.waitFor(to(erin));
    expect(itip(mail).event.getFirstPropertyValue('summary')).toBe('Retry');
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      // The outbox row is marked sent just after the server accepts it.
      for (let i = 0; i < 50; i++) {
        const { rows } = await db.query(
          `SELECT status, attempts FROM outbound_mail WHERE $1 = ANY(recipients)`,
          [erin],
        );
        if (rows[0]?.status === 'sent') {
          expect(rows[0].attempts).toBe(3);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('outbox row never marked sent');
    } finally {
      await db.end();
    }
  });
});
