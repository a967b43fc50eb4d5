import { Client } from 'pg';
import request from 'supertest';
import { appToken, asApp, newApplication, type TestApplication } from '../support/applications';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';

describe('booking API for integrations', () => {
  let t: TestApp;
  let app: TestApplication;
  let agent: TestUser;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    app = await newApplication(t, {
      scopes: ['meetings:write', 'meetings:read'],
      allowedDomains: ['example.gouv.fr'],
    });
    agent = await newUser(t);
    token = await appToken(t, app, { actAs: agent.user.email! });
  });
  afterAll(() => t.close());

  let slot = 0;
  /** A fresh one-hour slot each call, so tests do not collide with each other. */
  const nextSlot = () => {
    const start = new Date(Date.UTC(2027, 0, 4, 8) + slot++ * 2 * 3600_000);
    return { start: start.toISOString(), end: new Date(start.getTime() + 3600_000).toISOString() };
  };
  const body = (extra: Record<string, unknown> = {}) => ({
    title: 'Réservé par le calendrier',
    timeZone: 'Europe/Paris',
    ...nextSlot(),
    ...extra,
  });
  const countMeetings = async (title: string) => {
    const res = await as(t, agent.cookie)
      .get('/api/v1/meetings?from=2026-12-01T00:00:00Z&to=2027-12-01T00:00:00Z')
      .expect(200);
    return res.body.items.filter((o: { title: string }) => o.title === title).length;
  };

  it('books, changes and cancels a meeting for a user of its allowed domains', async () => {
    const created = await asApp(t, token)
      .post('/api/v1/meetings')
      .send(body({ attendees: [{ email: 'x@example.org' }] }))
      .expect(201);
    expect(created.body).toMatchObject({
      organizer: { id: agent.user.id },
      applicationId: app.id,
      sequence: 0,
    });
    // The user sees it as theirs.
    await as(t, agent.cookie).get(`/api/v1/meetings/${created.body.id}`).expect(200);
    const patched = await asApp(t, token)
      .patch(`/api/v1/meetings/${created.body.id}`)
      .send({ title: 'Renommé' })
      .expect(200);
    expect(patched.body).toMatchObject({ title: 'Renommé', sequence: 1 });
    const cancelled = await asApp(t, token)
      .post(`/api/v1/meetings/${created.body.id}/cancel`)
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    const ics = await asApp(t, token).get(`/api/v1/meetings/${created.body.id}.ics`).expect(200);
    expect(ics.text).toContain('STATUS:CANCELLED');
  });

  it('refuses applications without a user to act for, without the scope, or outside its users', async () => {
    const bare = await appToken(t, app);
    const res = await asApp(t, bare).post('/api/v1/meetings').send(body()).expect(403);
    expect(res.body.code).toBe('acting_user_required');
    const readOnly = await newApplication(t, {
      scopes: ['meetings:read'],
      allowedDomains: ['example.gouv.fr'],
    });
    const ro = await appToken(t, readOnly, { actAs: agent.user.email! });
    expect((await asApp(t, ro).post('/api/v1/meetings').send(body()).expect(403)).body.code).toBe(
      'insufficient_scope',
    );
    // Another user's meeting: 404, even through an application acting for someone else.
    const other = await newUser(t);
    const theirs = await as(t, other.cookie).post('/api/v1/meetings').send(body()).expect(201);
    expect(
      (
        await asApp(t, token)
          .patch(`/api/v1/meetings/${theirs.body.id}`)
          .send({ title: 'x' })
          .expect(404)
      ).body.code,
    ).toBe('meeting_not_found');
    await request(t.url)
      .post('/api/v1/meetings')
      .set('Authorization', 'Bearer nope')
      .send(body())
      .expect(401);
  });

  describe('Idempotency-Key', () => {
    it('returns the first response for a repeated request, without creating anything', async () => {
      const b = body({ title: 'Idem séquentiel' });
      const first = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'seq-1')
        .send(b)
        .expect(201);
      const again = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'seq-1')
        .send(b)
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      // Same body, keys in another order: the same request.
      const reordered = Object.fromEntries(Object.entries(b).reverse());
      expect(
        (
          await asApp(t, token)
            .post('/api/v1/meetings')
            .set('Idempotency-Key', 'seq-1')
            .send(reordered)
            .expect(201)
        ).body.id,
      ).toBe(first.body.id);
      expect(await countMeetings('Idem séquentiel')).toBe(1);
    });

    it('creates exactly one meeting when the same request is repeated in parallel', async () => {
      const b = body({ title: 'Idem parallèle' });
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          asApp(t, token).post('/api/v1/meetings').set('Idempotency-Key', 'par-1').send(b),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await countMeetings('Idem parallèle')).toBe(1);
    });

    it('answers 422 to the same key with another body', async () => {
      const b = body({ title: 'Idem réutilisé' });
      await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'reuse-1')
        .send(b)
        .expect(201);
      const res = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'reuse-1')
        .send({ ...b, title: 'Autre' })
        .expect(422);
      expect(res.body.code).toBe('idempotency_key_reused');
      // Another route with the same key is another request too.
      const other = await asApp(t, token)
        .post('/api/v1/meetings/00000000-0000-4000-8000-000000000000/cancel')
        .set('Idempotency-Key', 'reuse-1')
        .expect(422);
      expect(other.body.code).toBe('idempotency_key_reused');
      expect(await countMeetings('Idem réutilisé')).toBe(1);
    });

    it('scopes keys per application and replays errors too', async () => {
      const b = body({ title: 'Idem par application' });
      const app2 = await newApplication(t, {
        scopes: ['meetings:write'],
        allowedDomains: ['example.gouv.fr'],
      });
      const token2 = await appToken(t, app2, { actAs: agent.user.email! });
      const a = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'shared')
        .send(b)
        .expect(201);
      // Same key, other application, same slot: a new request, refused as a conflict.
      const c = await asApp(t, token2)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'shared')
        .send(b)
        .expect(409);
      expect(c.body.details.conflictingMeetingId).toBe(a.body.id);
      // Its retry gets the same 409 (the first answer), not a new attempt.
      await asApp(t, token).post(`/api/v1/meetings/${a.body.id}/cancel`).expect(200);
      const retry = await asApp(t, token2)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'shared')
        .send(b)
        .expect(409);
      expect(retry.body.code).toBe('meeting_conflict');
    });

    it('forgets keys after 24 hours, and refuses malformed keys', async () => {
      const b = body({ title: 'Idem expiré' });
      const first = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'old-1')
        .send(b)
        .expect(201);
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        await db.query(
          `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-1'`,
        );
      } finally {
        await db.end();
      }
      await asApp(t, token).post(`/api/v1/meetings/${first.body.id}/cancel`).expect(200);
      const second = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'old-1')
        .send(b)
        .expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      const bad = await asApp(t, token)
        .post('/api/v1/meetings')
        .set('Idempotency-Key', 'x'.repeat(256))
        .send(body())
        .expect(400);
      expect(bad.body.code).toBe('invalid_idempotency_key');
    });

    it('makes changes idempotent too', async () => {
      const m = await asApp(t, token)
        .post('/api/v1/meetings')
        .send(body({ title: 'Idem patch' }))
        .expect(201);
      const p1 = await asApp(t, token)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .set('Idempotency-Key', 'patch-1')
        .send({ description: 'v2' })
        .expect(200);
      const p2 = await asApp(t, token)
        .patch(`/api/v1/meetings/${m.body.id}`)
        .set('Idempotency-Key', 'patch-1')
        .send({ description: 'v2' })
        .expect(200);
      expect(p1.body.sequence).toBe(1);
      expect(p2.body.sequence).toBe(1);
      expect(
        (await asApp(t, token).get(`/api/v1/meetings/${m.body.id}`).expect(200)).body.sequence,
      ).toBe(1);
    });
  });
});
