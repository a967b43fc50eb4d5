import { appToken, asApp, newApplication } from '../support/applications';
import { startTestApp, type TestApp } from '../support/app';

/** As in production: webhooks may not point into the operator's own network (SSRF). */
describe('webhook endpoints and private targets', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    const app = await newApplication(t, { scopes: ['webhooks:manage'] });
    token = await appToken(t, app);
  });
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://10.0.0.5/hook',
  ])('refuses %s with 400 webhook_target_forbidden', async (url) => {
    const res = await asApp(t, token)
      .post('/api/v1/webhooks/endpoints')
      .send({ url, events: ['meeting.created'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('webhook_target_forbidden');
    const list = await asApp(t, token).get('/api/v1/webhooks/endpoints').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(url);
  });

  it('refuses a host that does not resolve with 400 webhook_host_unresolvable', async () => {
    const res = await asApp(t, token)
      .post('/api/v1/webhooks/endpoints')
      .send({ url: 'http://no-such-host.invalid/hook', events: ['meeting.created'] });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('webhook_host_unresolvable');
  });
});
