import request from 'supertest';
import { createApp } from '../src/bootstrap';
import { AppConfig } from '../src/config/app-config';
import { parseConfig } from '../src/config/config.schema';
import { freePort, TEST_REDIS_URL } from './support/app';
import { createTestDatabase } from './support/database';
import { TcpProxy } from './support/tcp-proxy';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

describe('readiness follows Postgres', () => {
  let app: NestFastifyApplication;
  let url: string;
  let proxy: TcpProxy;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    const port = await freePort();
    const parsed = parseConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      REDIS_KEY_PREFIX: 'visio:test:ready:',
    });
    app = await createApp(
      new AppConfig({ ...parsed, DATABASE_URL: target.toString(), REDIS_URL: TEST_REDIS_URL }),
    );
    await app.listen({ port, host: '127.0.0.1' });
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app.close();
    await proxy.stop();
    await drop();
  });

  it('answers 503 while Postgres is unreachable, without crashing, and recovers', async () => {
    await request(url).get('/health/ready').expect(200);
    await proxy.cut();
    const down = await request(url).get('/health/ready').expect(503);
    expect(down.body.details.postgres.status).toBe('down');
    expect(down.body.details.redis.status).toBe('up');
    await request(url).get('/health/live').expect(200);
    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await request(url).get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
