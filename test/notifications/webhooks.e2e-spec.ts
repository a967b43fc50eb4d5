import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appToken, asApp, newApplication, type TestApplication } from '../support/applications';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  validSignature: boolean;
}

/** A real HTTP receiver that checks signatures as the README tells integrators to. */
async function receiver(secret: () => string, statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = String(req.headers['visio-signature'] ?? '');
      const t = /(?:^|,)t=(\d+)/.exec(header)?.[1];
      const v1 = /(?:^|,)v1=([0-9a-f]{64})/.exec(header)?.[1];
      const expected = t ? createHmac('sha256', secret()).update(`${t}.${body}`).digest('hex') : '';
      const fresh = t ? Math.abs(Date.now() / 1000 - Number(t)) < 300 : false;
      const validSignature =
        !!v1 && fresh && timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
      received.push({ headers: req.headers, body, validSignature });
      res.statusCode = statuses.shift() ?? (validSignature ? 204 : 401);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && received.length < n; i++)
      await new Promise((r) => setTimeout(r, 50));
    if (received.length < n) throw new Error(`got ${received.length} of ${n} deliveries`);
    return received;
  };
  return { url, received, waitFor, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('signed outbound webhooks', () => {
  let t: TestApp;
  let app: TestApplication;
  let agent: TestUser;
  let admin: TestUser;
  let manage: string;
  let book: string;
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_ATTEMPTS: '4',
      PLATFORM_ADMINS: 'root@admin.gouv.fr',
    });
    app = await newApplication(t, {
      scopes: ['meetings:write', 'meetings:read', 'webhooks:manage'],
      allowedDomains: ['example.gouv.fr'],
    });
    agent = await newUser(t);
    admin = await newUser(t, { email: 'root@admin.gouv.fr' });
    manage = await appToken(t, app);
    book = await appToken(t, app, { actAs: agent.user.email! });
  });
  afterAll(() => t.close());

  let hour = 0;
  const meeting = (title: string) => {
    const start = new Date(Date.UTC(2027, 1, 1, 8) + hour++ * 2 * 3600_000);
    return {
      title,
      timeZone: 'Europe/Paris',
      start: start.toISOString(),
      end: new Date(start.getTime() + 1800_000).toISOString(),
    };
  };

  it('delivers meeting.created|updated|cancelled, signed with HMAC-SHA256 over timestamp and body', async () => {
    let secret = '';
    const r = await receiver(() => secret);
    try {
      const ep = await asApp(t, manage)
        .post('/api/v1/webhooks/endpoints')
        .send({ url: r.url, events: ['meeting.created', 'meeting.updated', 'meeting.cancelled'] })
        .expect(201);
      secret = ep.body.secret;
      expect(secret).toMatch(/^whsec_/);
      const listed = await asApp(t, manage).get('/api/v1/webhooks/endpoints').expect(200);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: ep.body.id, url: r.url })]);
      expect(listed.body.items[0].secret).toBeUndefined();

      const m = await asApp(t, book).post('/api/v1/meetings').send(meeting('Webhook')).expect(201);
      await asApp(t, book)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .send({ title: 'Webhook 2' })
        .expect(200);
      await asApp(t, book).post(`/api/v1/meetings/${m.body.id}/cancel`).expect(200);
      const got = await r.waitFor(3);
      const events = got
        .map((x) => JSON.parse(x.body))
        .sort((a, b) => a.data.meeting.sequence - b.data.meeting.sequence);
      expect(events.map((e) => e.event)).toEqual([
        'meeting.created',
        'meeting.updated',
        'meeting.cancelled',
      ]);
      expect(events.every((e) => e.data.meeting.id === m.body.id)).toBe(true);
      for (const x of got) {
        expect(x.validSignature).toBe(true);
        expect(x.headers['visio-event']).toBe(JSON.parse(x.body).event);
        expect(x.headers['visio-delivery']).toBe(JSON.parse(x.body).id);
        expect(x.headers['content-type']).toBe('application/json');
      }
      // A meeting booked by the user directly concerns no application.
      await as(t, agent.cookie)
        .post('/api/v1/meetings')
        .send(meeting('Sans application'))
        .expect(201);
      await new Promise((res) => setTimeout(res, 300));
      expect(r.received).toHaveLength(3);
    } finally {
      await asApp(t, manage)
        .delete(
          '/api/v1/webhooks/endpoints/' +
            (await asApp(t, manage).get('/api/v1/webhooks/endpoints')).body.items[0].id,
        )
        .expect(204);
      await r.close();
    }
  });

  it('retries a failing endpoint with backoff, then records the delivery; the admin reads the log', async () => {
    let secret = '';
    const r = await receiver(() => secret, [500, 503]);
    try {
      const ep = await asApp(t, manage)
        .post('/api/v1/webhooks/endpoints')
        .send({ url: r.url, events: ['meeting.created'] })
        .expect(201);
      secret = ep.body.secret;
      const m = await asApp(t, book).post('/api/v1/meetings').send(meeting('Retry')).expect(201);
      const got = await r.waitFor(3);
      expect(got.map((x) => x.headers['visio-attempt'])).toEqual(['1', '2', '3']);
      // The same signed body on each attempt.
      expect(new Set(got.map((x) => x.body)).size).toBe(1);
      expect(got.every((x) => x.validSignature)).toBe(true);

      let log: any;
      for (let i = 0; i < 50; i++) {
        log = await as(t, admin.cookie)
          .get(`/api/v1/admin/webhooks/deliveries?endpointId=${ep.body.id}`)
          .expect(200);
        if (log.body.items[0]?.status === 'delivered') break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(log.body.items).toHaveLength(1);
      expect(log.body.items[0]).toMatchObject({
        event: 'meeting.created',
        status: 'delivered',
        attempts: 3,
        lastStatusCode: 204,
        applicationId: app.id,
        url: r.url,
      });
      expect(log.body.items[0].payload.meeting.id).toBe(m.body.id);
      const own = await asApp(t, manage)
        .get(`/api/v1/webhooks/deliveries?endpointId=${ep.body.id}`)
        .expect(200);
      expect(own.body.items[0].attempts).toBe(3);
      const notAdmin = await as(t, agent.cookie)
        .get('/api/v1/admin/webhooks/deliveries')
        .expect(403);
      expect(notAdmin.body.code).toBe('platform_admin_required');
    } finally {
      await r.close();
    }
  });

  it('marks a delivery failed after the last attempt', async () => {
    const r = await receiver(() => 'unused', [500, 500, 500, 500, 500]);
    try {
      const ep = await asApp(t, manage)
        .post('/api/v1/webhooks/endpoints')
        .send({ url: r.url, events: ['meeting.cancelled'] })
        .expect(201);
      const m = await asApp(t, book).post('/api/v1/meetings').send(meeting('Échec')).expect(201);
      await asApp(t, book).post(`/api/v1/meetings/${m.body.id}/cancel`).expect(200);
      await r.waitFor(4);
      let item: any;
      for (let i = 0; i < 50; i++) {
        item = (
          await asApp(t, manage)
            .get(`/api/v1/webhooks/deliveries?endpointId=${ep.body.id}`)
            .expect(200)
        ).body.items[0];
        if (item?.status === 'failed') break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(item).toMatchObject({
        status: 'failed',
        attempts: 4,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
      });
      await new Promise((res) => setTimeout(res, 300));
      expect(r.received).toHaveLength(4);
    } finally {
      await r.close();
    }
  });

  it('validates endpoints and keeps them to applications with webhooks:manage', async () => {
    const bad = await asApp(t, manage)
      .post('/api/v1/webhooks/endpoints')
      .send({ url: 'ftp://example.org/x', events: ['meeting.created'] })
      .expect(400);
    expect(bad.body.code).toBe('validation_failed');
    await asApp(t, manage)
      .post('/api/v1/webhooks/endpoints')
      .send({ url: 'https://example.org/x', events: ['meeting.exploded'] })
      .expect(400);
    await asApp(t, manage)
      .post('/api/v1/webhooks/endpoints')
      .send({ url: 'https://example.org/x', events: [] })
      .expect(400);
    const user = await as(t, agent.cookie)
      .post('/api/v1/webhooks/endpoints')
      .send({ url: 'https://example.org/x', events: ['meeting.created'] })
      .expect(403);
    expect(user.body.code).toBe('application_only');
    const noScope = await newApplication(t, { scopes: ['meetings:write'], allowedDomains: [] });
    const res = await asApp(t, await appToken(t, noScope))
      .get('/api/v1/webhooks/endpoints')
      .expect(403);
    expect(res.body.code).toBe('insufficient_scope');
    const missing = await asApp(t, manage)
      .delete('/api/v1/webhooks/endpoints/00000000-0000-4000-8000-000000000000')
      .expect(404);
    expect(missing.body.code).toBe('webhook_endpoint_not_found');
  });
});
