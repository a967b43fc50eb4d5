import request from 'supertest';
import { Client } from 'pg';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type {
  RoomLobbyDecidedEvent,
  RoomLobbyRequestedEvent,
} from '../../src/modules/rooms/rooms.events';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { grantRoomRole, newRoom, newRoomGuest, passLobby } from '../support/rooms';

describe('lobby', () => {
  let t: TestApp;
  let db: Client;
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  const requested: RoomLobbyRequestedEvent[] = [];
  const decided: RoomLobbyDecidedEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp({ LOBBY_REQUEST_TTL_SECONDS: '120', LOBBY_ADMISSION_TTL_MINUTES: '90' });
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    const events = t.app.get(EventEmitter2);
    events.on('room.lobby.requested', (e: RoomLobbyRequestedEvent) => requested.push(e));
    events.on('room.lobby.decided', (e: RoomLobbyDecidedEvent) => decided.push(e));
    owner = await newUser(t);
    admin = await newUser(t);
    member = await newUser(t);
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** A restricted room with an administrator and a member besides its owner. */
  async function restrictedRoom() {
    const room = await newRoom(t, owner, { accessLevel: 'restricted' });
    await grantRoomRole(t, owner, room.slug, admin, 'administrator');
    await grantRoomRole(t, owner, room.slug, member, 'member');
    return room;
  }
  const access = (cookie: string, slug: string) =>
    as(t, cookie).get(`/api/v1/rooms/${slug}/access`).expect(200);
  const secondsFromNow = (iso: string) => (new Date(iso).getTime() - Date.now()) / 1000;

  it('runs the whole flow for an agent: ask, wait, be listed, be admitted, enter', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t, { givenName: 'Alix', usualName: 'Martin' });
    expect((await access(agent.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_required',
    });

    const ask = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(ask.body).toMatchObject({
      requestId: expect.any(String),
      status: 'waiting',
      decidedAt: null,
    });
    expect(secondsFromNow(ask.body.expiresAt)).toBeGreaterThan(110);
    expect(secondsFromNow(ask.body.expiresAt)).toBeLessThanOrEqual(121);
    expect(requested.find((e) => e.requestId === ask.body.requestId)).toMatchObject({
      roomId: room.id,
      slug: room.slug,
      requester: { kind: 'user', userId: agent.user.id },
      displayName: 'Alix Martin',
    });

    // Idempotent: the same requester gets the same waiting entry, and no second event.
    const again = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(again.body.requestId).toBe(ask.body.requestId);
    expect(requested.filter((e) => e.requestId === ask.body.requestId)).toHaveLength(1);
    expect((await access(agent.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_waiting',
      lobbyRequestId: ask.body.requestId,
    });

    for (const moderator of [owner, admin]) {
      const list = await as(t, moderator.cookie)
        .get(`/api/v1/rooms/${room.slug}/lobby`)
        .expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          requestId: ask.body.requestId,
          displayName: 'Alix Martin',
          kind: 'user',
          userId: agent.user.id,
        }),
      ]);
    }

    const admitted = await as(t, admin.cookie)
      .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
      .expect(200);
    expect(admitted.body).toMatchObject({
      requestId: ask.body.requestId,
      status: 'admitted',
      decidedAt: expect.any(String),
    });
    // The admission lasts LOBBY_ADMISSION_TTL_MINUTES (90).
    expect(secondsFromNow(admitted.body.expiresAt)).toBeGreaterThan(89 * 60);
    expect(secondsFromNow(admitted.body.expiresAt)).toBeLessThanOrEqual(90 * 60 + 1);
    expect(decided.find((e) => e.requestId === ask.body.requestId)).toMatchObject({
      status: 'admitted',
      requester: { kind: 'user', userId: agent.user.id },
      decidedBy: admin.user.id,
      roomId: room.id,
    });

    const polled = await as(t, agent.cookie)
      .get(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(polled.body).toMatchObject({ requestId: ask.body.requestId, status: 'admitted' });
    expect((await access(agent.cookie, room.slug)).body).toMatchObject({
      decision: 'enter',
      role: null,
      reason: 'lobby_admitted',
      lobbyRequestId: ask.body.requestId,
      room: { id: room.id },
    });
    // Admitted: the room details are visible; the lobby list is empty again.
    await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}`).expect(200);
    expect((await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/lobby`)).body.items).toEqual(
      [],
    );
    // Asking again while admitted returns the admission.
    const whileAdmitted = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(whileAdmitted.body).toMatchObject({ requestId: ask.body.requestId, status: 'admitted' });
  });

  it('runs the flow for a guest in a trusted room, and a denial refuses them until it lapses', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'trusted' });
    const guest = await newRoomGuest(t, room.slug, 'Visiting Sam');
    const other = await newRoomGuest(t, room.slug, 'Other guest');
    const ask = await as(t, guest.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(requested.find((e) => e.requestId === ask.body.requestId)).toMatchObject({
      requester: { kind: 'guest' },
      displayName: 'Visiting Sam',
    });
    const list = await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/lobby`).expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ displayName: 'Visiting Sam', kind: 'guest', userId: null }),
    ]);
    // Moderators never see the guest's session id.
    expect(JSON.stringify(list.body)).not.toMatch(/guestSession/);

    await as(t, owner.cookie)
      .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/deny`)
      .expect(200);
    expect(decided.find((e) => e.requestId === ask.body.requestId)).toMatchObject({
      status: 'denied',
      requester: { kind: 'guest' },
    });
    expect(
      (await as(t, guest.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`).expect(200)).body
        .status,
    ).toBe('denied');
    expect((await access(guest.cookie, room.slug)).body).toMatchObject({
      decision: 'refused',
      reason: 'lobby_denied',
    });
    // Asking again while the denial stands does not bother the moderators.
    const again = await as(t, guest.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(again.body).toMatchObject({ requestId: ask.body.requestId, status: 'denied' });
    expect((await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/lobby`)).body.items).toEqual(
      [],
    );
    // Another guest is unaffected.
    expect((await access(other.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_required',
    });

    // Once the denial lapses, they may ask again: a new entry.
    await db.query(
      `UPDATE lobby_requests SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [ask.body.requestId],
    );
    expect((await access(guest.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_required',
    });
    const fresh = await as(t, guest.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(fresh.body.requestId).not.toBe(ask.body.requestId);
    expect(fresh.body.status).toBe('waiting');
  });

  it('lets an admitted guest enter, and only that guest', async () => {
    const room = await restrictedRoom();
    const guest = await newRoomGuest(t, room.slug, 'Admitted guest');
    const other = await newRoomGuest(t, room.slug, 'Someone else');
    await passLobby(t, room.slug, guest.cookie, owner);
    expect((await access(guest.cookie, room.slug)).body).toMatchObject({
      decision: 'enter',
      reason: 'lobby_admitted',
    });
    expect((await access(other.cookie, room.slug)).body.decision).toBe('lobby');
  });

  it('expires waiting entries: the requester sees expired, moderators no longer see it, and cannot admit it', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t);
    const ask = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    await db.query(
      `UPDATE lobby_requests SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [ask.body.requestId],
    );

    expect(
      (await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`).expect(200)).body
        .status,
    ).toBe('expired');
    expect((await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/lobby`)).body.items).toEqual(
      [],
    );
    const late = await as(t, owner.cookie)
      .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
      .expect(409);
    expect(late.body).toMatchObject({
      code: 'lobby_request_not_waiting',
      details: { status: 'expired' },
    });
    expect((await access(agent.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_required',
    });

    // A new ask makes a new waiting entry (the expired one no longer blocks the unique index).
    const fresh = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    expect(fresh.body).toMatchObject({ status: 'waiting' });
    expect(fresh.body.requestId).not.toBe(ask.body.requestId);
    const { rows } = await db.query(`SELECT status FROM lobby_requests WHERE id = $1`, [
      ask.body.requestId,
    ]);
    expect(rows[0].status).toBe('expired');
  });

  it('expires admissions: past their validity the agent is back to the lobby', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t);
    const requestId = await passLobby(t, room.slug, agent.cookie, owner);
    expect((await access(agent.cookie, room.slug)).body.decision).toBe('enter');
    await db.query(
      `UPDATE lobby_requests SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [requestId],
    );
    expect((await access(agent.cookie, room.slug)).body).toMatchObject({
      decision: 'lobby',
      reason: 'lobby_required',
    });
    expect(
      (await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`)).body.status,
    ).toBe('expired');
    await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}`).expect(404);
  });

  it('gives 409 lobby_not_required to those who may enter directly', async () => {
    const restricted = await restrictedRoom();
    const trusted = await newRoom(t, owner, { accessLevel: 'trusted' });
    const pub = await newRoom(t, owner, { accessLevel: 'public' });
    const agent = await newUser(t);
    const guest = await newRoomGuest(t, pub.slug);
    for (const [cookie, slug] of [
      [member.cookie, restricted.slug],
      [owner.cookie, restricted.slug],
      [agent.cookie, trusted.slug],
      [agent.cookie, pub.slug],
      [guest.cookie, pub.slug],
    ]) {
      const res = await as(t, cookie).post(`/api/v1/rooms/${slug}/request-entry`).expect(409);
      expect(res.body.code).toBe('lobby_not_required');
    }
  });

  it('gives each of many simultaneous asks from one requester the same entry', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        as(t, agent.cookie).post(`/api/v1/rooms/${room.slug}/request-entry`),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.body.requestId)).size).toBe(1);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM lobby_requests WHERE room_id = $1`,
      [room.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('lets exactly one of a simultaneous admit and deny win', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t);
    const ask = await as(t, agent.cookie)
      .post(`/api/v1/rooms/${room.slug}/request-entry`)
      .expect(200);
    const [a, d] = await Promise.all([
      as(t, owner.cookie).post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`),
      as(t, admin.cookie).post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/deny`),
    ]);
    expect([a.status, d.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : d;
    expect(loser.body.code).toBe('lobby_request_not_waiting');
    const winner = a.status === 200 ? 'admitted' : 'denied';
    expect(
      (await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`)).body.status,
    ).toBe(winner);
  });

  describe('who may do what', () => {
    it('keeps the waiting list and decisions to owners and administrators', async () => {
      const room = await restrictedRoom();
      const agent = await newUser(t);
      const stranger = await newUser(t);
      const ask = await as(t, agent.cookie)
        .post(`/api/v1/rooms/${room.slug}/request-entry`)
        .expect(200);

      expect(
        (await as(t, member.cookie).get(`/api/v1/rooms/${room.slug}/lobby`).expect(403)).body.code,
      ).toBe('room_forbidden');
      await as(t, member.cookie)
        .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
        .expect(403);
      // A stranger (or the requester) cannot see the restricted room: 404.
      expect(
        (await as(t, stranger.cookie).get(`/api/v1/rooms/${room.slug}/lobby`).expect(404)).body
          .code,
      ).toBe('room_not_found');
      await as(t, agent.cookie)
        .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
        .expect(404);
      const guest = await newRoomGuest(t, room.slug);
      expect(
        (await as(t, guest.cookie).get(`/api/v1/rooms/${room.slug}/lobby`).expect(403)).body.code,
      ).toBe('guest_not_allowed');
      await as(t, guest.cookie)
        .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
        .expect(403);
      // Still waiting.
      expect(
        (await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`)).body.status,
      ).toBe('waiting');
    });

    it('requires a session to ask (401 anonymous) and a request to poll (404)', async () => {
      const room = await restrictedRoom();
      expect(
        (await request(t.url).post(`/api/v1/rooms/${room.slug}/request-entry`).expect(401)).body
          .code,
      ).toBe('unauthenticated');
      await request(t.url).get(`/api/v1/rooms/${room.slug}/request-entry`).expect(401);
      const agent = await newUser(t);
      const res = await as(t, agent.cookie)
        .get(`/api/v1/rooms/${room.slug}/request-entry`)
        .expect(404);
      expect(res.body.code).toBe('lobby_request_not_found');
      expect(
        (await as(t, agent.cookie).post('/api/v1/rooms/zzz-zzzz-zzz/request-entry').expect(404))
          .body.code,
      ).toBe('room_not_found');
    });

    it('answers 404 for a request of another room and 400 for a malformed id', async () => {
      const roomA = await restrictedRoom();
      const roomB = await restrictedRoom();
      const agent = await newUser(t);
      const ask = await as(t, agent.cookie)
        .post(`/api/v1/rooms/${roomA.slug}/request-entry`)
        .expect(200);
      const res = await as(t, owner.cookie)
        .post(`/api/v1/rooms/${roomB.slug}/lobby/${ask.body.requestId}/admit`)
        .expect(404);
      expect(res.body.code).toBe('lobby_request_not_found');
      const bad = await as(t, owner.cookie)
        .post(`/api/v1/rooms/${roomA.slug}/lobby/not-a-uuid/admit`)
        .expect(400);
      expect(bad.body).toMatchObject({
        code: 'validation_failed',
        details: [expect.objectContaining({ path: 'requestId' })],
      });
      expect(
        (await as(t, agent.cookie).get(`/api/v1/rooms/${roomA.slug}/request-entry`)).body.status,
      ).toBe('waiting');
    });

    it('refuses cookie-authenticated lobby changes without our Origin (CSRF)', async () => {
      const room = await restrictedRoom();
      const guest = await newRoomGuest(t, room.slug);
      const noOrigin = await request(t.url)
        .post(`/api/v1/rooms/${room.slug}/request-entry`)
        .set('Cookie', guest.cookie)
        .expect(403);
      expect(noOrigin.body.code).toBe('csrf_origin_mismatch');
      const ask = await as(t, guest.cookie)
        .post(`/api/v1/rooms/${room.slug}/request-entry`)
        .expect(200);
      await request(t.url)
        .post(`/api/v1/rooms/${room.slug}/lobby/${ask.body.requestId}/admit`)
        .set('Cookie', owner.cookie)
        .set('Origin', 'https://evil.example')
        .expect(403);
      expect(
        (await as(t, guest.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`)).body.status,
      ).toBe('waiting');
    });
  });

  it('drops the lobby with the room', async () => {
    const room = await restrictedRoom();
    const agent = await newUser(t);
    await as(t, agent.cookie).post(`/api/v1/rooms/${room.slug}/request-entry`).expect(200);
    await as(t, owner.cookie).delete(`/api/v1/rooms/${room.slug}`).expect(204);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM lobby_requests WHERE room_id = $1`,
      [room.id],
    );
    expect(rows[0].n).toBe(0);
    await as(t, agent.cookie).get(`/api/v1/rooms/${room.slug}/request-entry`).expect(404);
  });
});
