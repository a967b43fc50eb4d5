import request from 'supertest';
import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/app';
import { appToken, asApp, newApplication } from '../support/applications';
import { as, newUser } from '../support/identity';

describe('applications and the token endpoint', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    t = await startTestApp({
      PLATFORM_ADMINS: 'root@admin.gouv.fr',
      ACCESS_TOKEN_TTL_SECONDS: '120',
    });
    admin = await newUser(t, { email: 'root@admin.gouv.fr' });
  });
  afterAll(() => t.close());

  const token = (body: Record<string, string>) =>
    request(t.url).post('/api/v1/oauth/token').type('form').send(body);

  describe('admin API', () => {
    it('creates an application and shows its secret once, stored hashed', async () => {
      const res = await as(t, admin.cookie)
        .post('/api/v1/applications')
        .send({
          name: 'Agenda ministère',
          scopes: ['meetings:write', 'rooms:read'],
          allowedDomains: ['Interieur.Gouv.FR'],
        })
        .expect(201);
      expect(res.body).toMatchObject({
        name: 'Agenda ministère',
        scopes: ['meetings:write', 'rooms:read'],
        allowedDomains: ['interieur.gouv.fr'],
        createdBy: admin.user.id,
      });
      expect(res.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const list = await as(t, admin.cookie).get('/api/v1/applications').expect(200);
      const listed = list.body.items.find((a: { id: string }) => a.id === res.body.id);
      expect(listed).toBeDefined();
      expect(listed.clientSecret).toBeUndefined();
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query('SELECT secret_hash FROM applications WHERE id = $1', [
          res.body.id,
        ]);
        expect(rows[0].secret_hash).toHaveLength(32);
        expect(rows[0].secret_hash.toString('utf8')).not.toContain(res.body.clientSecret);
      } finally {
        await db.end();
      }
    });

    it('is for platform administrators only', async () => {
      const agent = await newUser(t);
      const res = await as(t, agent.cookie)
        .post('/api/v1/applications')
        .send({ name: 'x', scopes: ['rooms:read'] })
        .expect(403);
      expect(res.body.code).toBe('platform_admin_required');
      await as(t, agent.cookie).get('/api/v1/applications').expect(403);
      await request(t.url).get('/api/v1/applications').expect(401);
      const app = await newApplication(t, { scopes: ['rooms:read'] });
      const bearer = await appToken(t, app);
      const res2 = await asApp(t, bearer).get('/api/v1/applications').expect(403);
      expect(res2.body.code).toBe('application_not_allowed');
    });

    it('refuses unknown scopes, empty scopes and bad domains with 400', async () => {
      for (const body of [
        { name: 'x', scopes: ['meetings:destroy'] },
        { name: 'x', scopes: [] },
        { name: '', scopes: ['rooms:read'] },
        { name: 'x', scopes: ['rooms:read'], allowedDomains: ['not a domain'] },
        { name: 'x', scopes: ['rooms:read'], extra: true },
      ]) {
        const res = await as(t, admin.cookie).post('/api/v1/applications').send(body).expect(400);
        expect(res.body.code).toBe('validation_failed');
      }
    });

    it('revokes an application: its tokens stop working at once', async () => {
      const app = await newApplication(t, {
        scopes: ['users:read'],
        allowedDomains: ['example.gouv.fr'],
      });
      const bearer = await appToken(t, app, { actAs: 'someone@example.gouv.fr' });
      await asApp(t, bearer).get('/api/v1/users/me').expect(200);
      await as(t, admin.cookie).delete(`/api/v1/applications/${app.id}`).expect(204);
      const res = await asApp(t, bearer).get('/api/v1/users/me').expect(401);
      expect(res.body.code).toBe('invalid_token');
      const again = await token({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).expect(401);
      expect(again.body.error).toBe('invalid_client');
      const missing = await as(t, admin.cookie)
        .delete(`/api/v1/applications/${app.id}`)
        .expect(404);
      expect(missing.body.code).toBe('application_not_found');
    });
  });

  describe('POST /api/v1/oauth/token', () => {
    it('issues a short-lived bearer token (form body, secret in the body)', async () => {
      const app = await newApplication(t, { scopes: ['meetings:read', 'rooms:read'] });
      const res = await token({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        access_token: expect.stringMatching(/^vat_[A-Za-z0-9_-]{43}$/),
        token_type: 'Bearer',
        expires_in: 120,
        scope: 'meetings:read rooms:read',
      });
    });

    it('accepts HTTP Basic client authentication and a JSON body', async () => {
      const app = await newApplication(t, { scopes: ['rooms:read'] });
      const res = await request(t.url)
        .post('/api/v1/oauth/token')
        .auth(app.clientId, app.clientSecret)
        .send({ grant_type: 'client_credentials' })
        .expect(200);
      expect(res.body.token_type).toBe('Bearer');
    });

    it('answers a wrong secret or unknown client with 401 invalid_client', async () => {
      const app = await newApplication(t, { scopes: ['rooms:read'] });
      const wrong = await token({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: `${app.clientSecret}x`,
      }).expect(401);
      expect(wrong.body).toMatchObject({ error: 'invalid_client', code: 'invalid_client' });
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
      const basic = await request(t.url)
        .post('/api/v1/oauth/token')
        .auth(app.clientId, 'nope')
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(401);
      expect(basic.body.error).toBe('invalid_client');
      const unknown = await token({
        grant_type: 'client_credentials',
        client_id: 'visio_unknown',
        client_secret: app.clientSecret,
      }).expect(401);
      expect(unknown.body.error).toBe('invalid_client');
      const none = await token({ grant_type: 'client_credentials' }).expect(401);
      expect(none.body.error).toBe('invalid_client');
    });

    it('refuses other grant types and malformed requests with 400', async () => {
      const app = await newApplication(t, { scopes: ['rooms:read'] });
      const grant = await token({
        grant_type: 'password',
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).expect(400);
      expect(grant.body).toMatchObject({
        error: 'unsupported_grant_type',
        code: 'unsupported_grant_type',
      });
      const missing = await token({
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }).expect(400);
      expect(missing.body).toMatchObject({
        error: 'invalid_request',
        code: 'invalid_token_request',
      });
      const both = await request(t.url)
        .post('/api/v1/oauth/token')
        .auth(app.clientId, app.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials', client_secret: app.clientSecret })
        .expect(400);
      expect(both.body.code).toBe('multiple_client_authentication');
    });

    it('narrows the token to a requested subset of scopes, refuses others (invalid_scope)', async () => {
      const app = await newApplication(t, {
        scopes: ['rooms:read', 'users:read'],
        allowedDomains: ['example.gouv.fr'],
      });
      const narrow = await appToken(t, app, { scope: 'rooms:read', actAs: 'a@example.gouv.fr' });
      // users:read was not requested: the route that needs it refuses.
      const res = await asApp(t, narrow).get('/api/v1/users/me').expect(403);
      expect(res.body.code).toBe('insufficient_scope');
      const bad = await token({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'rooms:read meetings:write',
      }).expect(400);
      expect(bad.body).toMatchObject({ error: 'invalid_scope', code: 'invalid_scope' });
    });

    it('enforces scopes per route: missing scope is 403', async () => {
      const app = await newApplication(t, {
        scopes: ['rooms:read'],
        allowedDomains: ['example.gouv.fr'],
      });
      const bearer = await appToken(t, app, { actAs: 'b@example.gouv.fr' });
      const res = await asApp(t, bearer).get('/api/v1/users/me').expect(403);
      expect(res.body.code).toBe('insufficient_scope');
      // Routes that are for logged-in agents only stay closed to applications.
      const sessions = await asApp(t, bearer).get('/api/v1/users/me/sessions').expect(403);
      expect(sessions.body.code).toBe('application_not_allowed');
    });

    it('acts for a user only when asked, and only within the allowed domains', async () => {
      const app = await newApplication(t, {
        scopes: ['users:read'],
        allowedDomains: ['example.gouv.fr'],
      });
      const existing = await newUser(t, { email: 'known@example.gouv.fr' });
      const acting = await appToken(t, app, { actAs: 'Known@Example.gouv.fr' });
      const me = await asApp(t, acting).get('/api/v1/users/me').expect(200);
      expect(me.body).toMatchObject({ id: existing.user.id, pending: false });

      // Unknown email: a pending user, merged at their first login.
      const pending = await appToken(t, app, { actAs: 'newcomer@example.gouv.fr' });
      const p = await asApp(t, pending).get('/api/v1/users/me').expect(200);
      expect(p.body).toMatchObject({ email: 'newcomer@example.gouv.fr', pending: true });

      // Without act_as, the token acts for nobody.
      const plain = await appToken(t, app);
      const res = await asApp(t, plain).get('/api/v1/users/me').expect(403);
      expect(res.body.code).toBe('acting_user_required');

      for (const email of [
        'x@other.gouv.fr',
        'x@sub.example.gouv.fr',
        'x@example.gouv.fr.evil.com',
      ]) {
        const refused = await token({
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: app.clientSecret,
          act_as: email,
        }).expect(400);
        expect(refused.body).toMatchObject({
          error: 'unauthorized_client',
          code: 'act_as_not_allowed',
        });
      }
      const notEmail = await token({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        act_as: 'nobody',
      }).expect(400);
      expect(notEmail.body.code).toBe('act_as_invalid');
    });

    it('refuses unknown and expired bearer tokens with 401', async () => {
      const res = await asApp(t, 'vat_not-a-real-token').get('/api/v1/users/me').expect(401);
      expect(res.body.code).toBe('invalid_token');
    });
  });

  it('rate limits the token endpoint per client address (429)', async () => {
    const limited = await startTestApp({ TOKEN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const app = await newApplication(limited, { scopes: ['rooms:read'] });
      const send = () =>
        request(limited.url).post('/api/v1/oauth/token').type('form').send({
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_secret: 'wrong',
        });
      for (let i = 0; i < 3; i++) await send().expect(401);
      const res = await send().expect(429);
      expect(res.body).toMatchObject({ code: 'rate_limited', error: 'temporarily_unavailable' });
    } finally {
      await limited.close();
    }
  });
});
