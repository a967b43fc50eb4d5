import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { AppConfig } from '../../../config/app-config';
import type { MailMessage } from '../notifications.types';

/**
 * Where mail goes: the SMTP relay of SMTP_HOST, or (unset) .eml files under
 * DATA_DIR/mail so development works without a mail server.
 */
@Injectable()
export class MailTransportService implements OnModuleInit {
  private readonly logger = new Logger('Mail');
  private transport!: Transporter;
  /** Set when messages are written to files instead of SMTP. */
  readonly folder: string | null;

  constructor(private readonly config: AppConfig) {
    this.folder = config.SMTP_HOST ? null : resolve(config.DATA_DIR, 'mail');
  }

  onModuleInit(): void {
    const c = this.config;
    if (c.SMTP_HOST) {
      this.transport = createTransport({
        host: c.SMTP_HOST,
        port: c.SMTP_PORT,
        secure: c.SMTP_SECURE,
        auth: c.SMTP_USER ? { user: c.SMTP_USER, pass: c.SMTP_PASSWORD ?? '' } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    } else {
      this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
      const log =
        c.NODE_ENV === 'production'
          ? this.logger.warn.bind(this.logger)
          : this.logger.log.bind(this.logger);
      if (c.APP_ROLE !== 'api')
        log(`SMTP_HOST is not set: mail is written as .eml files to ${this.folder}`);
    }
  }

  /** Sends one message; returns its Message-ID. Throws on failure (the job retries). */
  async send(id: string, m: MailMessage): Promise<string> {
    const info = await this.transport.sendMail({
      from: this.config.MAIL_FROM,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      // Stable per outbox row: a retried job re-sends the same Message-ID.
      messageId: `<${id}@${new URL(this.config.PUBLIC_URL).hostname}>`,
      icalEvent: m.calendar
        ? { method: m.calendar.method, content: m.calendar.content, filename: 'invite.ics' }
        : undefined,
    });
    if (this.folder) {
      await mkdir(this.folder, { recursive: true });
      const file = resolve(
        this.folder,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`,
      );
      await writeFile(file, info.message as Buffer);
      this.logger.log(`mail "${m.subject}" to ${m.to.length} recipient(s) written to ${file}`);
    }
    return info.messageId;
  }
}
