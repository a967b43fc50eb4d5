import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MailService } from '../../notifications/services/mail.service';
import { WebhooksService } from '../../notifications/services/webhooks.service';
import {
  MeetingEvents,
  type MeetingCancelledEvent,
  type MeetingChangedEvent,
  type MeetingCreatedEvent,
} from '../scheduling.events';
import type { MeetingView } from '../scheduling.views';
import { CalendarService } from '../services/calendar.service';

type Kind = 'invitation' | 'update' | 'cancellation';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "lundi 16 mars 2026, 10:00 – 11:00 (Europe/Paris)" */
function when(m: MeetingView): string {
  const day = new Intl.DateTimeFormat('fr-FR', {
    timeZone: m.timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  }).format(new Date(m.start));
  const end = new Intl.DateTimeFormat('fr-FR', { timeZone: m.timeZone, timeStyle: 'short' }).format(
    new Date(m.end),
  );
  return `${day} – ${end} (${m.timeZone})${m.rrule ? `, récurrent (${m.rrule})` : ''}`;
}

const SUBJECT: Record<Kind, string> = {
  invitation: 'Invitation',
  update: 'Mise à jour',
  cancellation: 'Annulé',
};
const LEAD: Record<Kind, string> = {
  invitation: 'vous invite à une réunion',
  update: 'a modifié une réunion',
  cancellation: 'a annulé une réunion',
};

/**
 * Turns meeting events into iTIP mail to attendees (REQUEST on creation and
 * change, CANCEL on cancellation and to removed attendees) and into webhooks
 * for the application that booked the meeting. Both go through the generic
 * notifications services (outbox + BullMQ).
 */
@Injectable()
export class MeetingNotificationsListener {
  constructor(
    private readonly mail: MailService,
    private readonly webhooks: WebhooksService,
    private readonly calendar: CalendarService,
  ) {}

  @OnEvent(MeetingEvents.created)
  async onCreated(e: MeetingCreatedEvent): Promise<void> {
    await this.invite(e.meeting, e.meeting.attendees, 'invitation');
    await this.publish('meeting.created', e.meeting);
  }

  @OnEvent(MeetingEvents.updated)
  async onUpdated(e: MeetingChangedEvent): Promise<void> {
    await this.invite(e.meeting, e.meeting.attendees, 'update');
    if (e.removedAttendees.length) {
      // Only the removed attendees are in their CANCEL.
      await this.invite(
        {
          ...e.meeting,
          attendees: e.removedAttendees.map((a) => ({
            ...a,
            userId: null,
            partstat: 'NEEDS-ACTION',
          })),
        },
        e.removedAttendees,
        'cancellation',
      );
    }
    await this.publish('meeting.updated', e.meeting);
  }

  @OnEvent(MeetingEvents.cancelled)
  async onCancelled(e: MeetingCancelledEvent): Promise<void> {
    await this.invite(e.meeting, e.meeting.attendees, 'cancellation');
    await this.publish('meeting.cancelled', e.meeting);
  }

  private async invite(
    m: MeetingView,
    recipients: Array<{ email: string; name: string | null }>,
    kind: Kind,
  ): Promise<void> {
    if (!recipients.length) return;
    const method = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
    const content = this.calendar.render([m], { method });
    const join = m.room?.joinUrl;
    const text = [
      `${m.organizer.displayName} ${LEAD[kind]} : ${m.title}`,
      `Quand : ${when(m)}`,
      join && kind !== 'cancellation' ? `Rejoindre : ${join}` : null,
      m.description ? `\n${m.description}` : null,
    ]
      .filter(Boolean)
      .join('\n');
    const html = [
      `<p><strong>${esc(m.organizer.displayName)}</strong> ${LEAD[kind]} : <strong>${esc(m.title)}</strong></p>`,
      `<p>Quand : ${esc(when(m))}</p>`,
      join && kind !== 'cancellation'
        ? `<p><a href="${esc(join)}">Rejoindre la réunion</a></p>`
        : '',
      m.description ? `<p>${esc(m.description).replace(/\n/g, '<br>')}</p>` : '',
    ].join('\n');
    for (const r of recipients) {
      await this.mail.enqueue({
        to: [r.email],
        subject: `${SUBJECT[kind]} : ${m.title}`,
        text,
        html,
        calendar: { method, content },
      });
    }
  }

  private async publish(
    event: 'meeting.created' | 'meeting.updated' | 'meeting.cancelled',
    m: MeetingView,
  ): Promise<void> {
    if (!m.applicationId) return;
    await this.webhooks.publish(m.applicationId, event, { meeting: m });
  }
}
