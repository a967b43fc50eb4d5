import { io } from 'socket.io-client';
import { startTestApp, type TestApp } from '../support/app';
import { as, newGuest, newUser, type TestUser } from '../support/identity';
import { grantRoomRole, newRoom, newRoomGuest } from '../support/rooms';
import { describeWithWorker, WORKER_BIN } from './media-test-kit';
import { connectMedia, refusedConnect, type MediaClient } from './signalling-test-kit';

describeWithWorker('media signalling: handshake, access rules, lobby, cap, validation', () => {
  let t: TestApp;
  let owner: TestUser;
  const clients: MediaClient[] = [];
  const connect = async (cookie?: string, origin?: string | null) => {
    const c = await connectMedia(t.url, { cookie, origin });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_PORT_BASE: '0',
      MEDIA_ROOM_EMPTY_GRACE_MS: '500',
      MEDIA_ICE_SERVERS: JSON.stringify([
        { urls: 'stun:stun.example.org:3478' },
        { urls: ['turn:turn.example.org:3478?transport=udp'] },
      ]),
      MEDIA_TURN_SECRET: 'a-coturn-static-auth-secret',
      CORS_ORIGINS: 'https://front.example.org',
    });
    owner = await newUser(t, { givenName: 'Olga', usualName: 'Owner' });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t?.close());

  describe('handshake', () => {
    it('refuses a foreign Origin with a connect_error carrying a stable code', async () => {
      const error = await refusedConnect(t.url, {
        cookie: owner.cookie,
        origin: 'https://evil.example',
      });
      expect(error.message).toBe('origin_not_allowed');
      expect(error.data).toMatchObject({ code: 'origin_not_allowed' });
    });

    it('accepts its own origin, CORS_ORIGINS, and no Origin at all (same-origin polling, non-browser)', async () => {
      await expect(connect(owner.cookie, t.url)).resolves.toBeDefined();
      await expect(connect(owner.cookie, 'https://front.example.org')).resolves.toBeDefined();
      await expect(connect(owner.cookie, null)).resolves.toBeDefined();
    });

    it('works over HTTP long-polling too (the transport socket.io starts with by default)', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'public' });
      const socket = io(`${t.url}/media`, {
        transports: ['polling'],
        extraHeaders: { cookie: owner.cookie },
        reconnection: false,
        forceNew: true,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        expect(socket.io.engine.transport.name).toBe('polling');
        const ack = await socket.timeout(5000).emitWithAck('join', { slug: room.slug });
        expect(ack).toMatchObject({ ok: true, data: { roomId: room.id, role: 'owner' } });
      } finally {
        socket.close();
      }
    });

    it('accepts a socket without a session, which gets `unauthenticated` on join', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'public' });
      const anonymous = await connect();
      const ack = await anonymous.request('join', { slug: room.slug });
      expect(ack).toEqual({
        ok: false,
        error: expect.objectContaining({ code: 'unauthenticated' }),
      });

      const bogus = await connect('visio_session=not-a-real-token');
      expect((await bogus.request('join', { slug: room.slug })) as any).toMatchObject({
        ok: false,
        error: { code: 'unauthenticated' },
      });
    });
  });

  describe('join', () => {
    it('lets the owner in with the router capabilities, ICE servers (TURN credentials minted) and role', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'restricted' });
      const c = await connect(owner.cookie);
      const data = await c.ok('join', { slug: room.slug });
      expect(data).toMatchObject({
        roomId: room.id,
        displayName: 'Olga Owner',
        role: 'owner',
        canModerate: true,
        peers: [],
      });
      expect(data.peerId).toMatch(/^[0-9a-f-]{36}$/);
      expect(data.routerRtpCapabilities.codecs.map((x: any) => x.mimeType)).toContain('video/VP8');
      expect(data.iceServers[0]).toEqual({ urls: 'stun:stun.example.org:3478' });
      const turn = data.iceServers[1];
      expect(turn.urls).toEqual(['turn:turn.example.org:3478?transport=udp']);
      // coturn REST API: username "<expiry>:<id>", credential base64(HMAC-SHA1(secret, username)).
      const [expiry] = turn.username.split(':');
      expect(Number(expiry)).toBeGreaterThan(Date.now() / 1000);
      const { createHmac } = await import('node:crypto');
      expect(turn.credential).toBe(
        createHmac('sha1', 'a-coturn-static-auth-secret').update(turn.username).digest('base64'),
      );

      expect(await c.request('join', { slug: room.slug })).toMatchObject({
        ok: false,
        error: { code: 'already_joined' },
      });
    });

    it('answers room_not_found for an unknown slug', async () => {
      const c = await connect(owner.cookie);
      expect(await c.request('join', { slug: 'zzz-zzzz-zzz' })).toMatchObject({
        ok: false,
        error: { code: 'room_not_found' },
      });
    });

    it('applies the access levels: public (guests too), trusted (agents; guests wait), restricted (members)', async () => {
      const agent = await newUser(t);
      const pub = await newRoom(t, owner, { accessLevel: 'public' });
      const trusted = await newRoom(t, owner, { accessLevel: 'trusted' });
      const restricted = await newRoom(t, owner, { accessLevel: 'restricted' });

      const guest = await newRoomGuest(t, pub.slug, 'Guest Gaspard');
      const g = await connect(guest.cookie);
      const gJoin = await g.ok('join', { slug: pub.slug });
      expect(gJoin).toMatchObject({ displayName: 'Guest Gaspard', role: null, canModerate: false });

      const g2 = await connect((await newGuest(t)).cookie);
      expect(await g2.request('join', { slug: trusted.slug })).toMatchObject({
        ok: false,
        error: { code: 'lobby_required' },
      });

      const a = await connect(agent.cookie);
      await a.ok('join', { slug: trusted.slug });
      const a2 = await connect(agent.cookie);
      const refused = await a2.request('join', { slug: restricted.slug });
      expect(refused).toMatchObject({ ok: false, error: { code: 'lobby_required', details: {} } });

      await grantRoomRole(t, owner, restricted.slug, agent, 'member');
      const member = await a2.ok('join', { slug: restricted.slug });
      expect(member).toMatchObject({ role: 'member', canModerate: false });
    });

    it('pushes the lobby decision to the waiting requester, who then joins; a denial is refused', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'restricted' });
      const agent = await newUser(t, { givenName: 'Wanda', usualName: 'Waiting' });
      const c = await connect(agent.cookie);
      expect(await c.request('join', { slug: room.slug })).toMatchObject({
        ok: false,
        error: { code: 'lobby_required' },
      });

      const ask = await as(t, agent.cookie).post(`/api/v1/rooms/${room.slug}/request-entry`);
      expect(ask.status).toBe(200);
      const requestId = ask.body.requestId as string;
      expect(await c.request('join', { slug: room.slug })).toMatchObject({
        ok: false,
        error: { code: 'lobby_required', details: { lobbyRequestId: requestId } },
      });

      const admit = await as(t, owner.cookie).post(
        `/api/v1/rooms/${room.slug}/lobby/${requestId}/admit`,
      );
      expect(admit.status).toBe(200);
      expect(await c.next('lobbyDecision')).toEqual({
        slug: room.slug,
        requestId,
        status: 'admitted',
      });
      await expect(c.ok('join', { slug: room.slug })).resolves.toMatchObject({ role: null });

      // A guest denied from a trusted room is told, then refused.
      const trusted = await newRoom(t, owner, { accessLevel: 'trusted' });
      const guest = await newGuest(t, 'Guest Denis');
      const g = await connect(guest.cookie);
      const gAsk = await as(t, guest.cookie).post(`/api/v1/rooms/${trusted.slug}/request-entry`);
      expect(gAsk.status).toBe(200);
      await as(t, owner.cookie).post(
        `/api/v1/rooms/${trusted.slug}/lobby/${gAsk.body.requestId}/deny`,
      );
      expect(await g.next('lobbyDecision')).toMatchObject({
        status: 'denied',
        requestId: gAsk.body.requestId,
      });
      expect(await g.request('join', { slug: trusted.slug })).toMatchObject({
        ok: false,
        error: { code: 'room_access_refused', details: { reason: 'lobby_denied' } },
      });
    });

    it('refuses a join beyond the participant cap with room_full, and lets one in when a seat frees', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'public', maxParticipants: 2 });
      const first = await connect(owner.cookie);
      await first.ok('join', { slug: room.slug });
      const second = await connect((await newUser(t)).cookie);
      await second.ok('join', { slug: room.slug });
      const third = await connect((await newUser(t)).cookie);
      expect(await third.request('join', { slug: room.slug })).toMatchObject({
        ok: false,
        error: { code: 'room_full', details: { maxParticipants: 2 } },
      });
      await second.ok('leave', {});
      await expect(third.ok('join', { slug: room.slug })).resolves.toMatchObject({
        roomId: room.id,
      });
    });

    it('never lets concurrent last-seat joins exceed the cap', async () => {
      const room = await newRoom(t, owner, { accessLevel: 'public', maxParticipants: 3 });
      const socks = await Promise.all(
        Array.from({ length: 6 }, async () => connect((await newUser(t)).cookie)),
      );
      const acks = await Promise.all(socks.map((s) => s.request('join', { slug: room.slug })));
      expect(acks.filter((a) => a.ok)).toHaveLength(3);
      expect(acks.filter((a) => !a.ok).map((a: any) => a.error.code)).toEqual([
        'room_full',
        'room_full',
        'room_full',
      ]);
    });
  });

  describe('bad input', () => {
    it('answers validation_failed with field details for malformed payloads', async () => {
      const c = await connect(owner.cookie);
      const bad = await c.request('join', { slug: 42 });
      expect(bad).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', details: [expect.objectContaining({ path: 'slug' })] },
      });
      expect(await c.request('join', 'abc')).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
      expect(await c.request('join', { slug: 'abc-defg-hij', extra: 1 })).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
      expect(await c.request('createTransport', { direction: 'sideways' })).toMatchObject({
        ok: false,
        error: {
          code: 'validation_failed',
          details: [expect.objectContaining({ path: 'direction' })],
        },
      });
      expect(
        await c.request('produce', {
          transportId: 'nope',
          kind: 'video',
          source: 'mic',
          rtpParameters: {},
        }),
      ).toMatchObject({
        ok: false,
        error: { code: 'validation_failed' },
      });
    });

    it('allows nothing but join before joining', async () => {
      const c = await connect(owner.cookie);
      expect(await c.request('createTransport', { direction: 'send' })).toMatchObject({
        ok: false,
        error: { code: 'not_joined' },
      });
      expect(await c.request('leave', {})).toMatchObject({
        ok: false,
        error: { code: 'not_joined' },
      });
    });
  });
});
