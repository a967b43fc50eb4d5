import request from 'supertest';
import type { ApplicationPrincipal } from '../../src/modules/identity/auth/principal';
import { RoomAccessService } from '../../src/modules/rooms/services/room-access.service';
import { RoomsService } from '../../src/modules/rooms/services/rooms.service';
import { startTestApp, type TestApp } from '../support/app';
import { as, newGuest, newUser, type TestUser } from '../support/identity';
import { grantRoomRole, newRoom, newRoomGuest } from '../support/rooms';

type Level = 'public' | 'trusted' | 'restricted';

describe('room access rules', () => {
  let t: TestApp;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let agent: TestUser;
  let platformAdmin: TestUser;
  let guestCookie: string;
  const rooms: Record<Level, string> = { public: '', trusted: '', restricted: '' };

  beforeAll(async () => {
    t = await startTestApp({ PLATFORM_ADMINS: 'boss@example.gouv.fr' });
    owner = await newUser(t);
    admin = await newUser(t);
    member = await newUser(t);
    agent = await newUser(t);
    platformAdmin = await newUser(t, { email: 'boss@example.gouv.fr' });
    expect(platformAdmin.user.platformRoles).toContain('admin');
    guestCookie = (await newGuest(t)).cookie;
    for (const level of ['public', 'trusted', 'restricted'] as Level[]) {
      const room = await newRoom(t, owner, { accessLevel: level, name: `${level} room` });
      rooms[level] = room.slug;
      await grantRoomRole(t, owner, room.slug, admin, 'administrator');
      await grantRoomRole(t, owner, room.slug, member, 'member');
    }
  });
  afterAll(() => t.close());

  const accessAs = (cookie: string | null, level: Level) => {
    const req = request(t.url).get(`/api/v1/rooms/${rooms[level]}/access`);
    return (cookie ? req.set('Cookie', cookie) : req).expect(200);
  };

  const callers = () => ({
    owner: owner.cookie,
    administrator: admin.cookie,
    member: member.cookie,
    agent: agent.cookie,
    'platform admin': platformAdmin.cookie,
    guest: guestCookie,
    anonymous: null,
  });

  // caller → [public, trusted, restricted] decisions (and reasons for non-members)
  const matrix: Array<
    [
      keyof ReturnType<typeof callers>,
      string | null,
      boolean,
      [string, string, string],
      [string?, string?, string?],
    ]
  > = [
    ['owner', 'owner', true, ['enter', 'enter', 'enter'], []],
    ['administrator', 'administrator', true, ['enter', 'enter', 'enter'], []],
    ['member', 'member', false, ['enter', 'enter', 'enter'], []],
    [
      'agent',
      null,
      false,
      ['enter', 'enter', 'lobby'],
      ['public_room', 'trusted_agent', 'lobby_required'],
    ],
    // Platform administrators have no room rights of their own.
    [
      'platform admin',
      null,
      false,
      ['enter', 'enter', 'lobby'],
      ['public_room', 'trusted_agent', 'lobby_required'],
    ],
    [
      'guest',
      null,
      false,
      ['enter', 'lobby', 'lobby'],
      ['public_room', 'lobby_required', 'lobby_required'],
    ],
    [
      'anonymous',
      null,
      false,
      ['enter', 'lobby', 'lobby'],
      ['public_room', 'guest_session_required', 'guest_session_required'],
    ],
  ];

  describe.each(matrix)('%s', (who, role, canModerate, decisions, reasons) => {
    it.each([0, 1, 2])('level #%i', async (i) => {
      const level = (['public', 'trusted', 'restricted'] as Level[])[i];
      const res = await accessAs(callers()[who], level);
      expect(res.body).toMatchObject({ decision: decisions[i], role, canModerate });
      if (reasons[i]) expect(res.body.reason).toBe(reasons[i]);
      if (decisions[i] === 'enter') {
        // Those who enter get the whole room (configuration, cap, id).
        expect(res.body.room).toMatchObject({
          slug: rooms[level],
          accessLevel: level,
          maxParticipants: 100,
        });
        expect(res.body.room.id).toBeDefined();
      } else {
        // The others learn only what a lobby screen needs.
        expect(Object.keys(res.body.room).sort()).toEqual([
          'accessLevel',
          'joinUrl',
          'name',
          'slug',
        ]);
      }
    });
  });

  it('answers 404 room_not_found for an unknown slug and 400 for a malformed one', async () => {
    expect(
      (await request(t.url).get('/api/v1/rooms/abc-defg-hij/access').expect(404)).body.code,
    ).toBe('room_not_found');
    const bad = await request(t.url).get('/api/v1/rooms/a_b/access').expect(400);
    expect(bad.body.details[0]).toMatchObject({ path: 'slug' });
  });

  it('follows a change of access level at once', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'public' });
    expect(
      (await request(t.url).get(`/api/v1/rooms/${room.slug}/access`).set('Cookie', agent.cookie))
        .body.decision,
    ).toBe('enter');
    await as(t, owner.cookie)
      .patch(`/api/v1/rooms/${room.slug}`)
      .send({ accessLevel: 'restricted' })
      .expect(200);
    expect(
      (await request(t.url).get(`/api/v1/rooms/${room.slug}/access`).set('Cookie', agent.cookie))
        .body.decision,
    ).toBe('lobby');
  });

  describe('service contract (used by the media and chat gateways)', () => {
    it('check() by slug and checkById() agree; isModerator() follows the role', async () => {
      const svc = t.app.get(RoomAccessService);
      const room = await t.app.get(RoomsService).getBySlug(rooms.restricted);
      const principal = {
        kind: 'user' as const,
        userId: admin.user.id,
        sessionId: admin.sessionId,
        email: null,
        displayName: 'A',
        platformRoles: [],
      };
      const a = await svc.check(principal, rooms.restricted);
      const b = await svc.checkById(principal, room.id);
      expect(a).toEqual(b);
      expect(a).toMatchObject({
        decision: 'enter',
        role: 'administrator',
        canModerate: true,
        room: { id: room.id },
      });
      expect(await svc.isModerator(principal, room.id)).toBe(true);
      expect(await svc.isModerator({ ...principal, userId: member.user.id }, room.id)).toBe(false);
      expect(await svc.isModerator(undefined, room.id)).toBe(false);
      await expect(svc.check(principal, 'zzz-zzzz-zzz')).rejects.toMatchObject({
        code: 'room_not_found',
        status: 404,
      });
    });

    it('treats an application as the user it acts for; without one it is refused', async () => {
      const svc = t.app.get(RoomAccessService);
      const app = (actingUserId: string | null): ApplicationPrincipal => ({
        kind: 'application',
        applicationId: 'calendar',
        scopes: ['rooms:read'],
        actingUserId,
      });
      expect(await svc.check(app(member.user.id), rooms.restricted)).toMatchObject({
        decision: 'enter',
        role: 'member',
      });
      expect(await svc.check(app(agent.user.id), rooms.trusted)).toMatchObject({
        decision: 'enter',
        role: null,
      });
      expect(await svc.check(app(agent.user.id), rooms.restricted)).toMatchObject({
        decision: 'refused',
        reason: 'not_a_member',
      });
      expect(await svc.check(app(null), rooms.trusted)).toMatchObject({
        decision: 'refused',
        reason: 'acting_user_required',
      });
      expect(await svc.check(app(null), rooms.public)).toMatchObject({ decision: 'enter' });
    });
  });

  describe('POST /rooms/:slug/guest-session', () => {
    it('issues an HttpOnly guest session cookie and the guest enters a public room', async () => {
      const res = await request(t.url)
        .post(`/api/v1/rooms/${rooms.public}/guest-session`)
        .set('Origin', t.url)
        .send({ displayName: '  Dominique Guest  ' })
        .expect(201);
      expect(res.body.guest.displayName).toBe('Dominique Guest');
      expect(res.body.access).toMatchObject({ decision: 'enter', role: null, canModerate: false });
      const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      expect(setCookie[0]).toMatch(/^visio_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie[0]).toMatch(/HttpOnly/);
      expect(setCookie[0]).toMatch(/SameSite=Lax/);
      const cookie = setCookie[0].split(';')[0];
      // The cookie is a guest session: the room, but not the user APIs.
      await as(t, cookie).get(`/api/v1/rooms/${rooms.public}`).expect(200);
      expect((await as(t, cookie).get('/api/v1/users/me').expect(403)).body.code).toBe(
        'guest_not_allowed',
      );
      await as(t, cookie).post('/api/v1/rooms').send({ name: 'x' }).expect(403);
      await as(t, cookie).get('/api/v1/rooms').expect(403);
      await as(t, cookie).get(`/api/v1/rooms/${rooms.public}/accesses`).expect(403);
    });

    it('lets a guest start a session for a trusted or restricted room: they wait in the lobby', async () => {
      for (const level of ['trusted', 'restricted'] as Level[]) {
        const g = await newRoomGuest(t, rooms[level]);
        expect(g.body.access).toMatchObject({ decision: 'lobby', reason: 'lobby_required' });
        expect(g.body.access.room.id).toBeUndefined();
      }
    });

    it('ends the previous guest session when a guest starts another', async () => {
      const first = await newRoomGuest(t, rooms.trusted, 'First');
      await as(t, first.cookie).get(`/api/v1/rooms/${rooms.trusted}/request-entry`).expect(404);
      const second = await request(t.url)
        .post(`/api/v1/rooms/${rooms.public}/guest-session`)
        .set('Cookie', first.cookie)
        .set('Origin', t.url)
        .send({ displayName: 'Second' })
        .expect(201);
      expect(second.body.guest.displayName).toBe('Second');
      await as(t, first.cookie).get(`/api/v1/rooms/${rooms.trusted}/request-entry`).expect(401);
    });

    it('refuses signed-in agents with 409 already_signed_in', async () => {
      const res = await as(t, agent.cookie)
        .post(`/api/v1/rooms/${rooms.public}/guest-session`)
        .send({ displayName: 'Me' })
        .expect(409);
      expect(res.body.code).toBe('already_signed_in');
    });

    it('refuses a cross-site request (Origin) with 403 and sets no cookie', async () => {
      const res = await request(t.url)
        .post(`/api/v1/rooms/${rooms.public}/guest-session`)
        .set('Origin', 'https://evil.example')
        .send({ displayName: 'Me' })
        .expect(403);
      expect(res.body.code).toBe('csrf_origin_mismatch');
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('answers 404 for an unknown room', async () => {
      const res = await request(t.url)
        .post('/api/v1/rooms/zzz-zzzz-zzz/guest-session')
        .set('Origin', t.url)
        .send({ displayName: 'Me' })
        .expect(404);
      expect(res.body.code).toBe('room_not_found');
    });

    it.each([
      ['missing', {}],
      ['empty', { displayName: '' }],
      ['blank', { displayName: '   ' }],
      ['81 characters', { displayName: 'x'.repeat(81) }],
      ['a control character', { displayName: 'Bell\u0007' }],
      ['a newline', { displayName: 'two\nlines' }],
      ['a right-to-left override', { displayName: 'abc\u202Egpj.exe' }],
      ['not a string', { displayName: 42 }],
      ['an unknown field', { displayName: 'ok', admin: true }],
    ])('refuses a display name that is %s with 400', async (_label, body) => {
      const res = await request(t.url)
        .post(`/api/v1/rooms/${rooms.public}/guest-session`)
        .set('Origin', t.url)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details.length).toBeGreaterThan(0);
    });

    it('accepts 80 characters and accented names', async () => {
      await newRoomGuest(t, rooms.public, 'é'.repeat(80));
      await newRoomGuest(t, rooms.public, 'Zoë Ångström-Łukasz');
    });
  });
});
