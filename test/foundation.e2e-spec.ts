import request from 'supertest';
import { startTestApp, type TestApp } from './support/app';

describe('foundation (HTTP edges)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness', async () => {
    const res = await request(t.url).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('checks Postgres and Redis for readiness', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body.details.postgres.status).toBe('up');
    expect(res.body.details.redis.status).toBe('up');
  });

  it('answers an unknown route with 404 in the error shape and a correlation id', async () => {
    const res = await request(t.url).get('/api/v1/nope').expect(404);
    expect(res.body).toMatchObject({ code: 'not_found', message: expect.any(String) });
    expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(res.body.correlationId);
  });

  it('reuses a sane X-Request-Id and replaces an unsafe one', async () => {
    const ok = await request(t.url).get('/api/v1/nope').set('X-Request-Id', 'abc-123').expect(404);
    expect(ok.body.correlationId).toBe('abc-123');
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await request(t.url)
      .get('/api/v1/nope')
      .set('X-Request-Id', 'a b<script>')
      .expect(404);
    expect(bad.body.correlationId).not.toContain('script');
  });

  it('answers a malformed JSON body with 400 in the error shape', async () => {
    const res = await request(t.url)
      .post('/api/v1/nope')
      .set('content-type', 'application/json')
      .send('{bad json')
      .expect(400);
    expect(res.body).toMatchObject({ code: 'malformed_json', correlationId: expect.any(String) });
  });

  it('answers a malformed URL with 400 in the error shape', async () => {
    const res = await request(t.url).get('/api/v1/rooms/%E0%A4%A').expect(400);
    expect(res.body).toMatchObject({ code: 'malformed_url', correlationId: expect.any(String) });
    expect(res.headers['x-request-id']).toBe(res.body.correlationId);
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(t.url).get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/health/ready');
  });

  it('sets security headers and refuses CORS to unknown origins', async () => {
    const res = await request(t.url).get('/health/live').set('Origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const own = await request(t.url).get('/health/live').set('Origin', t.url);
    expect(own.headers['access-control-allow-origin']).toBe(t.url);
  });
});

describe('foundation (rate limiting, shared in Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_MAX: '3', RATE_LIMIT_TTL_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('answers 429 rate_limited past the limit', async () => {
    for (let i = 0; i < 3; i++) await request(t.url).get('/api/v1/info').expect(200);
    const res = await request(t.url).get('/api/v1/info').expect(429);
    expect(res.body.code).toBe('rate_limited');
  });
});
