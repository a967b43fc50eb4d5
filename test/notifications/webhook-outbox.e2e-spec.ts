import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { appToken, asApp, newApplication } from '../support/applications';
import { startTestApp, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';

/**
 * A delivery row whose job never reached Redis (the process died between the
 * insert and the enqueue) is delivered by the next worker that starts.
 */
describe('webhook outbox recovery', () => {
  let api: TestApp;
  let receiver: Server;
  let url: string;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      received.push(String(req.headers['visio-delivery']));
      req.resume();
      res.statusCode = 204;
      res.end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    api = await startTestApp({ APP_ROLE: 'api' });
  });
  afterAll(async () => {
    await api.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('re-enqueues stale pending deliveries at worker start, once', async () => {
    const app = await newApplication(api, { scopes: ['webhooks:manage'] });
    const token = await appToken(api, app);
    const endpoint = await asApp(api, token)
      .post('/api/v1/webhooks/endpoints')
      .send({ url, events: ['meeting.created'] })
      .expect(201);
    // The row as an interrupted publish leaves it: pending, no job, 11 minutes old.
    const db = new Client({ connectionString: api.databaseUrl });
    await db.connect();
    let deliveryId: string;
    try {
      const { rows } = await db.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event, payload, created_at)
         VALUES ($1, 'meeting.created', '{"meeting":{"id":"m1"}}', now() - interval '11 minutes')
         RETURNING id`,
        [endpoint.body.id],
      );
      deliveryId = rows[0].id;
    } finally {
      await db.end();
    }

    const worker = await createApp(new AppConfig({ ...api.config, APP_ROLE: 'worker' }));
    await worker.init();
    try {
      await eventually(
        'the stale delivery delivered',
        () => received.includes(deliveryId),
        10_000,
        100,
      );
      const log = await asApp(api, token).get('/api/v1/webhooks/deliveries').expect(200);
      expect(JSON.stringify(log.body)).toContain(deliveryId);
      await new Promise((r) => setTimeout(r, 500));
      expect(received.filter((id) => id === deliveryId)).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });
});
