import request from 'supertest';
import { Client } from 'pg';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { RoomAccessChangedEvent } from '../../src/modules/rooms/rooms.events';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser } from '../support/identity';
import { grantRoomRole, newRoom } from '../support/rooms';

describe('room accesses', () => {
  let t: TestApp;
  let db: Client;
  const changed: RoomAccessChangedEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    t.app
      .get(EventEmitter2)
      .on('room.access.changed', (e: RoomAccessChangedEvent) => changed.push(e));
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const ownersOf = async (roomId: string) =>
    (
      await db.query(`SELECT user_id FROM room_accesses WHERE room_id = $1 AND role = 'owner'`, [
        roomId,
      ])
    ).rows;

  /** A restricted room: owner, administrator, member; plus the access ids. */
  async function setup() {
    const owner = await newUser(t);
    const admin = await newUser(t);
    const member = await newUser(t);
    const room = await newRoom(t, owner, { accessLevel: 'restricted' });
    const adminAccess = await grantRoomRole(t, owner, room.slug, admin, 'administrator');
    const memberAccess = await grantRoomRole(t, owner, room.slug, member, 'member');
    const ownerAccess = (
      await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/accesses`)
    ).body.items.find((a: any) => a.role === 'owner').id as string;
    return { owner, admin, member, room, ownerAccess, adminAccess, memberAccess };
  }
  const url = (slug: string, id?: string) => `/api/v1/rooms/${slug}/accesses${id ? `/${id}` : ''}`;

  describe('GET /rooms/:slug/accesses', () => {
    it('lists roles with user names to owners and administrators', async () => {
      const s = await setup();
      for (const who of [s.owner, s.admin]) {
        const res = await as(t, who.cookie).get(url(s.room.slug)).expect(200);
        expect(res.body.items).toEqual([
          expect.objectContaining({
            userId: s.owner.user.id,
            role: 'owner',
            user: expect.objectContaining({ displayName: 'Camille Test', pending: false }),
          }),
          expect.objectContaining({ userId: s.admin.user.id, role: 'administrator' }),
          expect.objectContaining({ userId: s.member.user.id, role: 'member' }),
        ]);
      }
    });

    it('gives members 403, and strangers of a restricted room 404', async () => {
      const s = await setup();
      expect((await as(t, s.member.cookie).get(url(s.room.slug)).expect(403)).body.code).toBe(
        'room_forbidden',
      );
      const stranger = await newUser(t);
      expect((await as(t, stranger.cookie).get(url(s.room.slug)).expect(404)).body.code).toBe(
        'room_not_found',
      );
      await request(t.url).get(url(s.room.slug)).expect(401);
    });
  });

  describe('POST /rooms/:slug/accesses', () => {
    it('adds a user by id, and tells the gateways', async () => {
      const s = await setup();
      const newcomer = await newUser(t);
      const res = await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ userId: newcomer.user.id, role: 'member' })
        .expect(201);
      expect(res.body).toMatchObject({
        userId: newcomer.user.id,
        role: 'member',
        id: expect.any(String),
      });
      expect(changed).toContainEqual({
        roomId: s.room.id,
        slug: s.room.slug,
        userId: newcomer.user.id,
        role: 'member',
      });
      expect(
        (await as(t, newcomer.cookie).get(`/api/v1/rooms/${s.room.slug}/access`)).body,
      ).toMatchObject({ decision: 'enter', role: 'member' });
    });

    it('adds a user by email: a pending user who holds the role from their first login', async () => {
      const s = await setup();
      const res = await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ email: 'Later.Agent@Example.gouv.fr', role: 'administrator' })
        .expect(201);
      expect(res.body).toMatchObject({
        role: 'administrator',
        user: { email: 'later.agent@example.gouv.fr', pending: true },
      });
      const later = await newUser(t, { email: 'later.agent@example.gouv.fr' });
      expect(later.user.id).toBe(res.body.userId);
      const mine = await as(t, later.cookie).get('/api/v1/rooms').expect(200);
      expect(mine.body.items).toEqual([
        expect.objectContaining({ slug: s.room.slug, role: 'administrator' }),
      ]);
    });

    it('refuses a second access for the same user with 409 access_exists', async () => {
      const s = await setup();
      const res = await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ userId: s.member.user.id, role: 'administrator' })
        .expect(409);
      expect(res.body.code).toBe('access_exists');
      const again = await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ email: s.member.user.email, role: 'member' })
        .expect(409);
      expect(again.body.code).toBe('access_exists');
    });

    it('answers 404 user_not_found for an unknown user id', async () => {
      const s = await setup();
      const res = await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ userId: '00000000-0000-4000-8000-000000000000', role: 'member' })
        .expect(404);
      expect(res.body.code).toBe('user_not_found');
    });

    it.each([
      ['neither userId nor email', { role: 'member' }, 'userId'],
      [
        'both userId and email',
        { userId: '00000000-0000-4000-8000-000000000000', email: 'a@b.fr', role: 'member' },
        'userId',
      ],
      ['a malformed email', { email: 'not-an-email', role: 'member' }, 'email'],
      ['a malformed user id', { userId: '42', role: 'member' }, 'userId'],
      ['an unknown role', { email: 'a@b.fr', role: 'king' }, 'role'],
      ['no role', { email: 'a@b.fr' }, 'role'],
      ['an overlong email', { email: `${'a'.repeat(250)}@b.fr`, role: 'member' }, 'email'],
    ])('refuses %s with 400', async (_label, body, path) => {
      const s = await setup();
      const res = await as(t, s.owner.cookie).post(url(s.room.slug)).send(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });

    it('lets administrators add members and administrators but not owners', async () => {
      const s = await setup();
      const a = await newUser(t);
      const b = await newUser(t);
      const c = await newUser(t);
      await as(t, s.admin.cookie)
        .post(url(s.room.slug))
        .send({ userId: a.user.id, role: 'member' })
        .expect(201);
      await as(t, s.admin.cookie)
        .post(url(s.room.slug))
        .send({ userId: b.user.id, role: 'administrator' })
        .expect(201);
      const res = await as(t, s.admin.cookie)
        .post(url(s.room.slug))
        .send({ userId: c.user.id, role: 'owner' })
        .expect(403);
      expect(res.body.code).toBe('role_not_allowed');
      await as(t, s.owner.cookie)
        .post(url(s.room.slug))
        .send({ userId: c.user.id, role: 'owner' })
        .expect(201);
    });

    it('refuses members (403) and anonymous (401), and a request without Origin (CSRF)', async () => {
      const s = await setup();
      const x = await newUser(t);
      expect(
        (
          await as(t, s.member.cookie)
            .post(url(s.room.slug))
            .send({ userId: x.user.id, role: 'member' })
            .expect(403)
        ).body.code,
      ).toBe('room_forbidden');
      await request(t.url)
        .post(url(s.room.slug))
        .send({ userId: x.user.id, role: 'member' })
        .expect(401);
      const csrf = await request(t.url)
        .post(url(s.room.slug))
        .set('Cookie', s.owner.cookie)
        .send({ userId: x.user.id, role: 'member' })
        .expect(403);
      expect(csrf.body.code).toBe('csrf_origin_mismatch');
      expect(
        (await as(t, x.cookie).get(`/api/v1/rooms/${s.room.slug}/access`)).body.role,
      ).toBeNull();
    });
  });

  describe('PATCH /rooms/:slug/accesses/:accessId', () => {
    it('lets owners change any role, and the change applies at once', async () => {
      const s = await setup();
      const res = await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.memberAccess))
        .send({ role: 'owner' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: s.memberAccess,
        role: 'owner',
        userId: s.member.user.id,
      });
      expect(
        (await as(t, s.member.cookie).get(`/api/v1/rooms/${s.room.slug}/access`)).body,
      ).toMatchObject({ role: 'owner', canModerate: true });
      await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.adminAccess))
        .send({ role: 'member' })
        .expect(200);
      expect(
        (await as(t, s.admin.cookie).get(`/api/v1/rooms/${s.room.slug}/access`)).body.canModerate,
      ).toBe(false);
    });

    it('lets administrators promote and demote below owner, never touching owners', async () => {
      const s = await setup();
      await as(t, s.admin.cookie)
        .patch(url(s.room.slug, s.memberAccess))
        .send({ role: 'administrator' })
        .expect(200);
      await as(t, s.admin.cookie)
        .patch(url(s.room.slug, s.memberAccess))
        .send({ role: 'member' })
        .expect(200);
      expect(
        (
          await as(t, s.admin.cookie)
            .patch(url(s.room.slug, s.memberAccess))
            .send({ role: 'owner' })
            .expect(403)
        ).body.code,
      ).toBe('role_not_allowed');
      expect(
        (
          await as(t, s.admin.cookie)
            .patch(url(s.room.slug, s.ownerAccess))
            .send({ role: 'member' })
            .expect(403)
        ).body.code,
      ).toBe('role_not_allowed');
      expect(await ownersOf(s.room.id)).toEqual([{ user_id: s.owner.user.id }]);
    });

    it('refuses members with 403', async () => {
      const s = await setup();
      const res = await as(t, s.member.cookie)
        .patch(url(s.room.slug, s.memberAccess))
        .send({ role: 'administrator' })
        .expect(403);
      expect(res.body.code).toBe('room_forbidden');
    });

    it('refuses demoting the last owner with 409 last_owner; with two owners one may step down', async () => {
      const s = await setup();
      const res = await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.ownerAccess))
        .send({ role: 'member' })
        .expect(409);
      expect(res.body.code).toBe('last_owner');
      await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.adminAccess))
        .send({ role: 'owner' })
        .expect(200);
      await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.ownerAccess))
        .send({ role: 'member' })
        .expect(200);
      expect(await ownersOf(s.room.id)).toEqual([{ user_id: s.admin.user.id }]);
    });

    it('answers 404 access_not_found for an access of another room, 400 for bad input', async () => {
      const s = await setup();
      const other = await setup();
      const res = await as(t, s.owner.cookie)
        .patch(url(s.room.slug, other.memberAccess))
        .send({ role: 'owner' })
        .expect(404);
      expect(res.body.code).toBe('access_not_found');
      expect(
        (await db.query(`SELECT role FROM room_accesses WHERE id = $1`, [other.memberAccess]))
          .rows[0].role,
      ).toBe('member');
      const bad = await as(t, s.owner.cookie)
        .patch(url(s.room.slug, 'nope'))
        .send({ role: 'owner' })
        .expect(400);
      expect(bad.body.details[0].path).toBe('accessId');
      await as(t, s.owner.cookie)
        .patch(url(s.room.slug, s.memberAccess))
        .send({ role: 'god' })
        .expect(400);
      await as(t, s.owner.cookie).patch(url(s.room.slug, s.memberAccess)).send({}).expect(400);
    });
  });

  describe('DELETE /rooms/:slug/accesses/:accessId', () => {
    it('lets owners remove anyone but the last owner', async () => {
      const s = await setup();
      await as(t, s.owner.cookie).delete(url(s.room.slug, s.memberAccess)).expect(204);
      expect(changed).toContainEqual({
        roomId: s.room.id,
        slug: s.room.slug,
        userId: s.member.user.id,
        role: null,
      });
      await as(t, s.member.cookie).get(`/api/v1/rooms/${s.room.slug}`).expect(404);
      const last = await as(t, s.owner.cookie).delete(url(s.room.slug, s.ownerAccess)).expect(409);
      expect(last.body.code).toBe('last_owner');
      await as(t, s.owner.cookie).delete(url(s.room.slug, s.memberAccess)).expect(404);
    });

    it('lets administrators remove members and administrators, not owners', async () => {
      const s = await setup();
      const res = await as(t, s.admin.cookie).delete(url(s.room.slug, s.ownerAccess)).expect(403);
      expect(res.body.code).toBe('role_not_allowed');
      await as(t, s.admin.cookie).delete(url(s.room.slug, s.memberAccess)).expect(204);
    });

    it('lets a member leave, but not remove others', async () => {
      const s = await setup();
      expect(
        (await as(t, s.member.cookie).delete(url(s.room.slug, s.adminAccess)).expect(403)).body
          .code,
      ).toBe('room_forbidden');
      await as(t, s.member.cookie).delete(url(s.room.slug, s.memberAccess)).expect(204);
      expect(
        (await as(t, s.member.cookie).get(`/api/v1/rooms/${s.room.slug}/access`)).body.decision,
      ).toBe('lobby');
    });

    it('refuses strangers with 404 and a request without Origin (CSRF)', async () => {
      const s = await setup();
      const stranger = await newUser(t);
      await as(t, stranger.cookie).delete(url(s.room.slug, s.memberAccess)).expect(404);
      await request(t.url)
        .delete(url(s.room.slug, s.memberAccess))
        .set('Cookie', s.owner.cookie)
        .expect(403);
      expect((await as(t, s.owner.cookie).get(url(s.room.slug))).body.items).toHaveLength(3);
    });
  });

  describe('the last owner under concurrency', () => {
    async function twoOwners() {
      const a = await newUser(t);
      const b = await newUser(t);
      const room = await newRoom(t, a);
      const bAccess = await grantRoomRole(t, a, room.slug, b, 'owner');
      const aAccess = (await as(t, a.cookie).get(url(room.slug))).body.items.find(
        (x: any) => x.userId === a.user.id,
      ).id;
      return { a, b, room, aAccess, bAccess };
    }

    it('lets exactly one of two owners stepping down at once succeed (10 rounds)', async () => {
      for (let round = 0; round < 10; round++) {
        const { a, b, room, aAccess, bAccess } = await twoOwners();
        const results = await Promise.all([
          as(t, a.cookie).patch(url(room.slug, aAccess)).send({ role: 'member' }),
          as(t, b.cookie).patch(url(room.slug, bAccess)).send({ role: 'member' }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
        expect(results.find((r) => r.status === 409)!.body.code).toBe('last_owner');
        expect(await ownersOf(room.id)).toHaveLength(1);
      }
    });

    it('lets exactly one of two owners demoting each other at once succeed (10 rounds)', async () => {
      for (let round = 0; round < 10; round++) {
        const { a, b, room, aAccess, bAccess } = await twoOwners();
        const results = await Promise.all([
          as(t, a.cookie).patch(url(room.slug, bAccess)).send({ role: 'member' }),
          as(t, b.cookie).patch(url(room.slug, aAccess)).send({ role: 'member' }),
        ]);
        expect(results.filter((r) => r.status === 200)).toHaveLength(1);
        // The loser was demoted first, so it no longer may change roles (403), or saw one owner left (409).
        expect(['last_owner', 'room_forbidden']).toContain(
          results.find((r) => r.status !== 200)!.body.code,
        );
        expect(await ownersOf(room.id)).toHaveLength(1);
      }
    });

    it('keeps an owner when both owners leave at once (10 rounds)', async () => {
      for (let round = 0; round < 10; round++) {
        const { a, b, room, aAccess, bAccess } = await twoOwners();
        const results = await Promise.all([
          as(t, a.cookie).delete(url(room.slug, aAccess)),
          as(t, b.cookie).delete(url(room.slug, bAccess)),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
        expect(await ownersOf(room.id)).toHaveLength(1);
      }
    });
  });
});
