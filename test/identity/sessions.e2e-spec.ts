import request from 'supertest';
import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/app';
import { as, newGuest, newUser } from '../support/identity';

describe('sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SESSION_IDLE_MINUTES: '30' });
  });
  afterAll(() => t.close());

  it('refuses /users/me without a session', async () => {
    const res = await request(t.url).get('/api/v1/users/me').expect(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('returns the agent for a session cookie', async () => {
    const u = await newUser(t, { givenName: 'Ada', usualName: 'Lovelace' });
    const res = await as(t, u.cookie).get('/api/v1/users/me').expect(200);
    expect(res.body).toMatchObject({
      id: u.user.id,
      displayName: 'Ada Lovelace',
      email: u.user.email,
    });
  });

  it('lists sessions and revokes one: its next request is 401', async () => {
    const u = await newUser(t);
    const list = await as(t, u.cookie).get('/api/v1/users/me/sessions').expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: u.sessionId, current: true });
    await as(t, u.cookie).delete(`/api/v1/users/me/sessions/${u.sessionId}`).expect(204);
    await as(t, u.cookie).get('/api/v1/users/me').expect(401);
  });

  it("cannot revoke another user's session (404)", async () => {
    const a = await newUser(t);
    const b = await newUser(t);
    const res = await as(t, a.cookie)
      .delete(`/api/v1/users/me/sessions/${b.sessionId}`)
      .expect(404);
    expect(res.body.code).toBe('session_not_found');
    await as(t, b.cookie).get('/api/v1/users/me').expect(200);
  });

  it('answers a malformed session id with 400', async () => {
    const a = await newUser(t);
    const res = await as(t, a.cookie).delete('/api/v1/users/me/sessions/not-a-uuid').expect(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('refuses a cookie-authenticated state change from another origin (CSRF)', async () => {
    const a = await newUser(t);
    const res = await request(t.url)
      .delete(`/api/v1/users/me/sessions/${a.sessionId}`)
      .set('Cookie', a.cookie)
      .set('Origin', 'https://evil.example')
      .expect(403);
    expect(res.body.code).toBe('csrf_origin_mismatch');
    await request(t.url)
      .delete(`/api/v1/users/me/sessions/${a.sessionId}`)
      .set('Cookie', a.cookie)
      .expect(403);
    await as(t, a.cookie).get('/api/v1/users/me').expect(200);
  });

  it('expires sessions past their absolute lifetime and when idle', async () => {
    const a = await newUser(t);
    const b = await newUser(t);
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        a.sessionId,
      ]);
      await db.query(
        `UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE id = $1`,
        [b.sessionId],
      );
    } finally {
      await db.end();
    }
    await as(t, a.cookie).get('/api/v1/users/me').expect(401);
    await as(t, b.cookie).get('/api/v1/users/me').expect(401);
  });

  it('keeps guests away from user APIs', async () => {
    const g = await newGuest(t);
    const res = await as(t, g.cookie).get('/api/v1/users/me').expect(403);
    expect(res.body.code).toBe('guest_not_allowed');
  });
});
