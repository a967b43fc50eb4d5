import request from 'supertest';
import { createApp } from '../src/bootstrap';
import { AppConfig } from '../src/config/app-config';
import { parseConfig } from '../src/config/config.schema';
import { freePort, TEST_REDIS_URL, type TestApp } from './support/app';
import { createTestDatabase } from './support/database';
import { eventually } from './support/eventually';
import { as, newUser } from './support/identity';
import { TcpProxy } from './support/tcp-proxy';

/** Redis goes away under a running service: requests degrade, they don't fail or hang. */
describe('Redis outage', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const db = await createTestDatabase();
    const target = new URL(TEST_REDIS_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    const port = await freePort();
    const parsed = parseConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `visio:test:outage${port}:`,
      MEDIA_WORKERS: '1',
    });
    const config = new AppConfig({
      ...parsed,
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    });
    const app = await createApp(config);
    await app.listen({ port, host: '127.0.0.1' });
    t = {
      app,
      config,
      url: `http://127.0.0.1:${port}`,
      databaseUrl: db.url,
      close: async () => {
        await app.close();
        await db.drop();
      },
    };
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
  });

  it('keeps serving (no rate limit), books meetings without hanging, reports not ready, and recovers', async () => {
    const agent = await newUser(t);
    await proxy.cut();

    const ready = await request(t.url).get('/health/ready').expect(503);
    expect(ready.body.details.redis.status).toBe('down');
    await as(t, agent.cookie).get('/api/v1/users/me').expect(200);

    const started = Date.now();
    const meeting = await as(t, agent.cookie)
      .post('/api/v1/meetings')
      .send({
        title: 'Pendant la panne',
        start: '2027-05-03T09:00:00Z',
        end: '2027-05-03T10:00:00Z',
        timeZone: 'Europe/Paris',
        attendees: [{ email: 'invitee@example.gouv.fr' }],
      });
    expect(meeting.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(8000);

    await proxy.restore();
    await eventually(
      'readiness back',
      async () => (await request(t.url).get('/health/ready')).status === 200,
      20_000,
      250,
    );
    // Let the queue workers' blocking connections come back before shutdown.
    await new Promise((r) => setTimeout(r, 2000));
  }, 40_000);
});
