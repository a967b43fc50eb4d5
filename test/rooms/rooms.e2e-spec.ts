import request from 'supertest';
import { Client } from 'pg';
import { startTestApp, type TestApp } from '../support/app';
import { as, newGuest, newUser } from '../support/identity';
import { RoomsService } from '../../src/modules/rooms/services/rooms.service';
import { grantRoomRole, newRoom } from '../support/rooms';

describe('rooms CRUD', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ROOM_DEFAULT_MAX_PARTICIPANTS: '42' });
  });
  afterAll(() => t.close());

  describe('POST /rooms', () => {
    it('creates a room with a generated slug; the creator is its owner', async () => {
      const owner = await newUser(t);
      const res = await as(t, owner.cookie)
        .post('/api/v1/rooms')
        .send({ name: '  Weekly sync ' })
        .expect(201);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: expect.stringMatching(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/),
        name: 'Weekly sync',
        accessLevel: 'trusted',
        maxParticipants: 42,
        configuration: {},
        role: 'owner',
      });
      expect(res.body.joinUrl).toBe(`${t.url}/r/${res.body.slug}`);
      expect(new Date(res.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const accesses = await as(t, owner.cookie)
        .get(`/api/v1/rooms/${res.body.slug}/accesses`)
        .expect(200);
      expect(accesses.body.items).toEqual([
        expect.objectContaining({ userId: owner.user.id, role: 'owner' }),
      ]);
    });

    it('generates distinct slugs', async () => {
      const owner = await newUser(t);
      const slugs = new Set<string>();
      for (let i = 0; i < 10; i++) slugs.add((await newRoom(t, owner)).slug);
      expect(slugs.size).toBe(10);
    });

    it('accepts a custom slug, access level, cap and configuration', async () => {
      const owner = await newUser(t);
      const room = await newRoom(t, owner, {
        slug: 'team-42-standup',
        accessLevel: 'restricted',
        maxParticipants: 2,
        configuration: { muteOnEntry: true, allowScreenShare: false },
      });
      expect(room).toMatchObject({
        slug: 'team-42-standup',
        accessLevel: 'restricted',
        maxParticipants: 2,
        configuration: { muteOnEntry: true, allowScreenShare: false },
      });
    });

    it('refuses a taken slug with 409 slug_taken', async () => {
      const a = await newUser(t);
      const b = await newUser(t);
      await newRoom(t, a, { slug: 'shared-name' });
      const res = await as(t, b.cookie)
        .post('/api/v1/rooms')
        .send({ name: 'x', slug: 'shared-name' })
        .expect(409);
      expect(res.body.code).toBe('slug_taken');
      // Nothing half-written: b owns no room.
      const mine = await as(t, b.cookie).get('/api/v1/rooms').expect(200);
      expect(mine.body.items).toEqual([]);
    });

    it.each(['api', 'admin', 'health', 'oidc', 'login', 'logout', 'static', 'assets'])(
      'refuses the reserved slug %s with 400 slug_reserved',
      async (slug) => {
        const owner = await newUser(t);
        const res = await as(t, owner.cookie)
          .post('/api/v1/rooms')
          .send({ name: 'x', slug })
          .expect(400);
        expect(res.body.code).toBe('slug_reserved');
        expect(res.body.details).toEqual([
          expect.objectContaining({ path: 'slug', code: 'slug_reserved' }),
        ]);
      },
    );

    it.each([
      ['uppercase', { name: 'x', slug: 'Hello-World' }, 'slug'],
      ['too short', { name: 'x', slug: 'ab' }, 'slug'],
      ['too long', { name: 'x', slug: 'a'.repeat(51) }, 'slug'],
      ['leading hyphen', { name: 'x', slug: '-abc' }, 'slug'],
      ['double hyphen', { name: 'x', slug: 'ab--cd' }, 'slug'],
      ['space', { name: 'x', slug: 'ab cd' }, 'slug'],
      ['empty name', { name: '   ' }, 'name'],
      ['missing name', {}, 'name'],
      ['overlong name', { name: 'n'.repeat(201) }, 'name'],
      ['unknown access level', { name: 'x', accessLevel: 'secret' }, 'accessLevel'],
      ['cap below 2', { name: 'x', maxParticipants: 1 }, 'maxParticipants'],
      ['cap above 500', { name: 'x', maxParticipants: 501 }, 'maxParticipants'],
      ['fractional cap', { name: 'x', maxParticipants: 2.5 }, 'maxParticipants'],
      ['unknown configuration key', { name: 'x', configuration: { foo: true } }, 'configuration'],
      [
        'wrong configuration type',
        { name: 'x', configuration: { muteOnEntry: 'yes' } },
        'configuration.muteOnEntry',
      ],
      ['configuration not an object', { name: 'x', configuration: [] }, 'configuration'],
      ['unknown field', { name: 'x', owner: 'me' }, ''],
    ])('refuses %s with 400 validation_failed naming the field', async (_label, body, path) => {
      const owner = await newUser(t);
      const res = await as(t, owner.cookie).post('/api/v1/rooms').send(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });

    it('refuses anonymous callers (401) and guests (403)', async () => {
      await request(t.url).post('/api/v1/rooms').send({ name: 'x' }).expect(401);
      const g = await newGuest(t);
      const res = await as(t, g.cookie).post('/api/v1/rooms').send({ name: 'x' }).expect(403);
      expect(res.body.code).toBe('guest_not_allowed');
    });

    it('refuses a state change without our Origin (CSRF)', async () => {
      const owner = await newUser(t);
      const res = await request(t.url)
        .post('/api/v1/rooms')
        .set('Cookie', owner.cookie)
        .send({ name: 'x' })
        .expect(403);
      expect(res.body.code).toBe('csrf_origin_mismatch');
      await request(t.url)
        .post('/api/v1/rooms')
        .set('Cookie', owner.cookie)
        .set('Origin', 'https://evil.example')
        .send({ name: 'x' })
        .expect(403);
      const mine = await as(t, owner.cookie).get('/api/v1/rooms').expect(200);
      expect(mine.body.total).toBe(0);
    });
  });

  describe('GET /rooms', () => {
    it("lists the caller's rooms (any role), newest first, paginated with a cap", async () => {
      const me = await newUser(t);
      const other = await newUser(t);
      const own = [];
      for (let i = 0; i < 3; i++) own.push(await newRoom(t, me, { name: `mine ${i}` }));
      const shared = await newRoom(t, other, { name: 'shared with me' });
      await grantRoomRole(t, other, shared.slug, me, 'member');
      await newRoom(t, other, { name: 'not mine' });

      const page1 = await as(t, me.cookie).get('/api/v1/rooms?limit=3').expect(200);
      expect(page1.body).toMatchObject({ total: 4, limit: 3, offset: 0, nextOffset: 3 });
      expect(page1.body.items.map((r: any) => r.name)).toEqual([
        'shared with me',
        'mine 2',
        'mine 1',
      ]);
      expect(page1.body.items[0].role).toBe('member');
      expect(page1.body.items[1].role).toBe('owner');
      const page2 = await as(t, me.cookie).get('/api/v1/rooms?limit=3&offset=3').expect(200);
      expect(page2.body).toMatchObject({ total: 4, nextOffset: null });
      expect(page2.body.items.map((r: any) => r.name)).toEqual(['mine 0']);
    });

    it.each(['limit=0', 'limit=101', 'offset=-1', 'offset=10001', 'limit=abc', 'sort=name'])(
      'refuses ?%s with 400',
      async (qs) => {
        const me = await newUser(t);
        const res = await as(t, me.cookie).get(`/api/v1/rooms?${qs}`).expect(400);
        expect(res.body.code).toBe('validation_failed');
      },
    );

    it('refuses guests', async () => {
      const g = await newGuest(t);
      await as(t, g.cookie).get('/api/v1/rooms').expect(403);
    });
  });

  describe('GET /rooms/:slug', () => {
    it('shows a room to its members with their role', async () => {
      const owner = await newUser(t);
      const room = await newRoom(t, owner, { accessLevel: 'restricted' });
      const res = await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`).expect(200);
      expect(res.body).toMatchObject({
        id: room.id,
        slug: room.slug,
        role: 'owner',
        accessLevel: 'restricted',
      });
    });

    it('answers 404 for a restricted room to a non-member, exactly as for a missing room (no leak)', async () => {
      const owner = await newUser(t);
      const stranger = await newUser(t);
      const room = await newRoom(t, owner, { accessLevel: 'restricted' });
      const hidden = await as(t, stranger.cookie).get(`/api/v1/rooms/${room.slug}`).expect(404);
      const missing = await as(t, stranger.cookie).get('/api/v1/rooms/zzz-zzzz-zzz').expect(404);
      expect(hidden.body.code).toBe('room_not_found');
      expect(missing.body.code).toBe('room_not_found');
      expect(hidden.body.message).toBe(missing.body.message);
    });

    it('shows trusted rooms to any agent and public rooms to guests, not trusted ones', async () => {
      const owner = await newUser(t);
      const agent = await newUser(t);
      const g = await newGuest(t);
      const trusted = await newRoom(t, owner, { accessLevel: 'trusted' });
      const pub = await newRoom(t, owner, { accessLevel: 'public' });
      expect(
        (await as(t, agent.cookie).get(`/api/v1/rooms/${trusted.slug}`).expect(200)).body.role,
      ).toBeNull();
      await as(t, g.cookie).get(`/api/v1/rooms/${pub.slug}`).expect(200);
      await as(t, g.cookie).get(`/api/v1/rooms/${trusted.slug}`).expect(404);
      await request(t.url).get(`/api/v1/rooms/${pub.slug}`).expect(401);
    });

    it('refuses a malformed slug with 400', async () => {
      const me = await newUser(t);
      const res = await as(t, me.cookie).get('/api/v1/rooms/NOT_A_SLUG').expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details[0]).toMatchObject({ path: 'slug', code: 'invalid_format' });
    });
  });

  describe('PATCH /rooms/:slug', () => {
    it('lets owners and administrators update; members get 403, strangers 404', async () => {
      const owner = await newUser(t);
      const admin = await newUser(t);
      const member = await newUser(t);
      const stranger = await newUser(t);
      const room = await newRoom(t, owner, { accessLevel: 'restricted' });
      await grantRoomRole(t, owner, room.slug, admin, 'administrator');
      await grantRoomRole(t, owner, room.slug, member, 'member');

      const res = await as(t, owner.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send({
          name: 'Renamed',
          accessLevel: 'public',
          maxParticipants: 8,
          configuration: { chatEnabled: false },
        })
        .expect(200);
      expect(res.body).toMatchObject({
        slug: room.slug,
        name: 'Renamed',
        accessLevel: 'public',
        maxParticipants: 8,
        configuration: { chatEnabled: false },
        role: 'owner',
      });
      const byAdmin = await as(t, admin.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send({ accessLevel: 'restricted' })
        .expect(200);
      expect(byAdmin.body).toMatchObject({
        accessLevel: 'restricted',
        name: 'Renamed',
        role: 'administrator',
      });

      const m = await as(t, member.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send({ name: 'no' })
        .expect(403);
      expect(m.body.code).toBe('room_forbidden');
      const s = await as(t, stranger.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send({ name: 'no' })
        .expect(404);
      expect(s.body.code).toBe('room_not_found');
      const after = await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`).expect(200);
      expect(after.body.name).toBe('Renamed');
    });

    it('gives 403 (not 404) to a non-member of a room they can see', async () => {
      const owner = await newUser(t);
      const agent = await newUser(t);
      const room = await newRoom(t, owner, { accessLevel: 'trusted' });
      const res = await as(t, agent.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send({ name: 'mine now' })
        .expect(403);
      expect(res.body.code).toBe('room_forbidden');
    });

    it.each([
      ['an empty patch', {}],
      ['a slug change', { slug: 'new-slug' }],
      ['an unknown configuration key', { configuration: { lobbyForEveryone: true } }],
      ['an overlong name', { name: 'x'.repeat(201) }],
      ['a cap of 1000', { maxParticipants: 1000 }],
    ])('refuses %s with 400', async (_label, body) => {
      const owner = await newUser(t);
      const room = await newRoom(t, owner);
      const res = await as(t, owner.cookie)
        .patch(`/api/v1/rooms/${room.slug}`)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
    });

    it('refuses an update without Origin (CSRF)', async () => {
      const owner = await newUser(t);
      const room = await newRoom(t, owner);
      await request(t.url)
        .patch(`/api/v1/rooms/${room.slug}`)
        .set('Cookie', owner.cookie)
        .send({ name: 'evil' })
        .expect(403);
      expect((await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`)).body.name).toBe(
        'Test room',
      );
    });
  });

  describe('DELETE /rooms/:slug', () => {
    it('lets owners delete (accesses and lobby go too); administrators get 403', async () => {
      const owner = await newUser(t);
      const admin = await newUser(t);
      const room = await newRoom(t, owner);
      await grantRoomRole(t, owner, room.slug, admin, 'administrator');
      const a = await as(t, admin.cookie).delete(`/api/v1/rooms/${room.slug}`).expect(403);
      expect(a.body.code).toBe('room_forbidden');
      await as(t, owner.cookie).delete(`/api/v1/rooms/${room.slug}`).expect(204);
      await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`).expect(404);
      await as(t, owner.cookie).delete(`/api/v1/rooms/${room.slug}`).expect(404);
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query(
          'SELECT count(*)::int AS n FROM room_accesses WHERE room_id = $1',
          [room.id],
        );
        expect(rows[0].n).toBe(0);
      } finally {
        await db.end();
      }
    });

    it('refuses a delete without Origin (CSRF)', async () => {
      const owner = await newUser(t);
      const room = await newRoom(t, owner);
      await request(t.url)
        .delete(`/api/v1/rooms/${room.slug}`)
        .set('Cookie', owner.cookie)
        .expect(403);
      await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`).expect(200);
    });
  });

  describe('RoomsService contract (scheduling creates meeting rooms through it)', () => {
    it('createForOwner returns exactly the RoomView fields; getById and getBySlug agree', async () => {
      const owner = await newUser(t);
      const svc = t.app.get(RoomsService);
      const room = await svc.createForOwner(owner.user.id, { name: 'Meeting: budget review' });
      expect(Object.keys(room).sort()).toEqual(
        [
          'accessLevel',
          'configuration',
          'createdAt',
          'id',
          'joinUrl',
          'maxParticipants',
          'name',
          'slug',
        ].sort(),
      );
      expect(await svc.getById(room.id)).toEqual(room);
      expect(await svc.getBySlug(room.slug)).toEqual(room);
      expect(await svc.maxParticipantsOf(room.id)).toBe(42);
      const mine = await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}`).expect(200);
      expect(mine.body.role).toBe('owner');
    });

    it('validates its input like the HTTP API does', async () => {
      const owner = await newUser(t);
      const svc = t.app.get(RoomsService);
      await expect(
        svc.createForOwner(owner.user.id, { name: 'x', slug: 'admin' }),
      ).rejects.toMatchObject({ code: 'slug_reserved', status: 400 });
      await expect(
        svc.createForOwner(owner.user.id, { name: 'x', configuration: { nope: 1 } }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        status: 400,
      });
      await expect(svc.createForOwner(owner.user.id, { name: '' })).rejects.toMatchObject({
        code: 'validation_failed',
      });
      await expect(svc.getBySlug('zzz-zzzz-zzz')).rejects.toMatchObject({
        code: 'room_not_found',
        status: 404,
      });
      await expect(svc.getById('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: 'room_not_found',
      });
    });
  });
});
