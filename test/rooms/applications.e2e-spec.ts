import { startTestApp, type TestApp } from '../support/app';
import { appToken, asApp, newApplication } from '../support/applications';
import { as, newUser } from '../support/identity';
import { newRoom } from '../support/rooms';

describe('rooms for integration applications', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("reads the acting user's rooms with rooms:read, and only those it may see", async () => {
    const agent = await newUser(t, { email: 'reader@agents.gouv.fr' });
    const other = await newUser(t);
    const mine = await newRoom(t, agent, { accessLevel: 'restricted', name: 'mine' });
    const hidden = await newRoom(t, other, { accessLevel: 'restricted' });
    const app = await newApplication(t, {
      scopes: ['rooms:read'],
      allowedDomains: ['agents.gouv.fr'],
    });
    const token = await appToken(t, app, { actAs: 'reader@agents.gouv.fr' });

    const list = await asApp(t, token).get('/api/v1/rooms').expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ slug: mine.slug, role: 'owner' })]);
    await asApp(t, token).get(`/api/v1/rooms/${mine.slug}`).expect(200);
    expect((await asApp(t, token).get(`/api/v1/rooms/${hidden.slug}`).expect(404)).body.code).toBe(
      'room_not_found',
    );
    // Read only: writing needs rooms:write.
    const write = await asApp(t, token).post('/api/v1/rooms').send({ name: 'x' }).expect(403);
    expect(write.body.code).toBe('insufficient_scope');
    await asApp(t, token).patch(`/api/v1/rooms/${mine.slug}`).send({ name: 'x' }).expect(403);
    // Never the access or lobby management APIs.
    await asApp(t, token).get(`/api/v1/rooms/${mine.slug}/accesses`).expect(403);
    await asApp(t, token).get(`/api/v1/rooms/${mine.slug}/lobby`).expect(403);
  });

  it('creates, updates and deletes rooms for the acting user with rooms:write', async () => {
    const agent = await newUser(t, { email: 'writer@agents.gouv.fr' });
    const app = await newApplication(t, {
      scopes: ['rooms:read', 'rooms:write'],
      allowedDomains: ['agents.gouv.fr'],
    });
    const token = await appToken(t, app, { actAs: 'writer@agents.gouv.fr' });
    const created = await asApp(t, token)
      .post('/api/v1/rooms')
      .send({ name: 'Booked by calendar' })
      .expect(201);
    expect(created.body).toMatchObject({ role: 'owner', name: 'Booked by calendar' });
    // No Origin needed: bearer tokens are not sent by browsers on their own.
    await asApp(t, token)
      .patch(`/api/v1/rooms/${created.body.slug}`)
      .send({ maxParticipants: 10 })
      .expect(200);
    const seen = await as(t, agent.cookie).get(`/api/v1/rooms/${created.body.slug}`).expect(200);
    expect(seen.body).toMatchObject({ role: 'owner', maxParticipants: 10 });
    await asApp(t, token).delete(`/api/v1/rooms/${created.body.slug}`).expect(204);
    await as(t, agent.cookie).get(`/api/v1/rooms/${created.body.slug}`).expect(404);
  });

  it('refuses a token that acts for nobody with 403 acting_user_required, and one without the scope', async () => {
    const app = await newApplication(t, { scopes: ['rooms:read', 'rooms:write'] });
    const token = await appToken(t, app);
    expect((await asApp(t, token).get('/api/v1/rooms').expect(403)).body.code).toBe(
      'acting_user_required',
    );
    expect(
      (await asApp(t, token).post('/api/v1/rooms').send({ name: 'x' }).expect(403)).body.code,
    ).toBe('acting_user_required');
    const meetingsOnly = await newApplication(t, { scopes: ['meetings:read'] });
    const other = await appToken(t, meetingsOnly);
    expect((await asApp(t, other).get('/api/v1/rooms').expect(403)).body.code).toBe(
      'insufficient_scope',
    );
  });
});
