import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailService } from '../../src/modules/notifications/services/mail.service';
import { startTestApp, type TestApp } from '../support/app';

describe('mail without SMTP (development)', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visio-mail-'));
    t = await startTestApp({ DATA_DIR: dir });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file under DATA_DIR/mail', async () => {
    const id = await t.app.get(MailService).enqueue({
      to: ['someone@example.org'],
      subject: 'Bonjour',
      text: 'Corps du message',
      calendar: {
        method: 'REQUEST',
        content: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n',
      },
    });
    const folder = join(dir, 'mail');
    let files: string[] = [];
    for (let i = 0; i < 100 && !files.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      files = await readdir(folder).catch(() => []);
    }
    expect(files).toHaveLength(1);
    expect(files[0]).toContain(id);
    const eml = await readFile(join(folder, files[0]), 'utf8');
    expect(eml).toMatch(/^Subject: Bonjour/m);
    expect(eml).toMatch(/^To: someone@example.org/m);
    expect(eml).toMatch(/text\/calendar; charset=utf-8; method=REQUEST/i);
  });

  it('refuses an invalid message with a validation error', async () => {
    await expect(
      t.app.get(MailService).enqueue({ to: ['not-an-email'], subject: 'x', text: 'y' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
