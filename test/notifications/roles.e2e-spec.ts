import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { MailService } from '../../src/modules/notifications/services/mail.service';
import { startTestApp, type TestApp } from '../support/app';

describe('mail delivery by role', () => {
  let api: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visio-roles-'));
    api = await startTestApp({ APP_ROLE: 'api', DATA_DIR: dir });
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const files = () => readdir(join(dir, 'mail')).catch(() => [] as string[]);

  it('the api role only enqueues; a worker process on the same database and Redis delivers', async () => {
    const id = await api.app
      .get(MailService)
      .enqueue({ to: ['a@example.org'], subject: 'Rôles', text: 'x' });
    await new Promise((r) => setTimeout(r, 700));
    expect(await files()).toHaveLength(0);

    const worker = await createApp(new AppConfig({ ...api.config, APP_ROLE: 'worker' }));
    await worker.init();
    try {
      let found: string[] = [];
      for (let i = 0; i < 100 && !found.length; i++) {
        await new Promise((r) => setTimeout(r, 50));
        found = await files();
      }
      expect(found).toEqual([expect.stringContaining(id)]);
    } finally {
      await worker.close();
    }
  });
});
