import { MediaRoomRegistry } from '../../src/modules/media/media-room.registry';
import { startTestApp, type TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { grantRoomRole, newRoom } from '../support/rooms';
import { describeWithWorker, sleep, WORKER_BIN } from './media-test-kit';
import {
  chromeOpus,
  chromeVp8Simulcast,
  connectMedia,
  dtlsParameters,
  type MediaClient,
} from './signalling-test-kit';

/**
 * Produce and consume through signalling with the RTP parameters a browser
 * sends. No RTP flows (no browser here): the Playwright tests cover that;
 * these cover every signalling rule and event on real mediasoup objects.
 */
describeWithWorker('media signalling: transports, produce/consume, moderation, kicks', () => {
  let t: TestApp;
  let owner: TestUser;
  let registry: MediaRoomRegistry;
  const clients: MediaClient[] = [];
  const connect = async (cookie: string) => {
    const c = await connectMedia(t.url, { cookie });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_PORT_BASE: '0',
      MEDIA_ROOM_EMPTY_GRACE_MS: '500',
      MEDIA_SESSION_CHECK_INTERVAL_MS: '300',
    });
    owner = await newUser(t, { givenName: 'Olga', usualName: 'Owner' });
    registry = t.app.get(MediaRoomRegistry);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t?.close());

  /** A joined peer with a connected send transport. */
  async function sender(c: MediaClient, slug: string) {
    const join = await c.ok('join', { slug });
    const send = await c.ok('createTransport', { direction: 'send' });
    await c.ok('connectTransport', {
      transportId: send.transportId,
      dtlsParameters: dtlsParameters(),
    });
    return { join, send };
  }

  it('creates WebRTC transports on the worker’s WebRtcServer and connects them once', async () => {
    const room = await newRoom(t, owner);
    const c = await connect(owner.cookie);
    await c.ok('join', { slug: room.slug });
    const send = await c.ok('createTransport', { direction: 'send' });
    expect(send).toMatchObject({
      transportId: expect.any(String),
      iceParameters: { usernameFragment: expect.any(String), password: expect.any(String) },
      dtlsParameters: { fingerprints: expect.any(Array) },
    });
    expect(send.iceCandidates.length).toBeGreaterThan(0);
    expect(send.iceCandidates.map((x: any) => x.protocol).sort()).toEqual(['tcp', 'udp']);

    const dtls = dtlsParameters();
    await c.ok('connectTransport', { transportId: send.transportId, dtlsParameters: dtls });
    expect(
      await c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtls }),
    ).toMatchObject({
      ok: false,
      error: { code: 'transport_already_connected' },
    });
    expect(
      await c.request('connectTransport', {
        transportId: '00000000-0000-4000-8000-000000000000',
        dtlsParameters: dtls,
      }),
    ).toMatchObject({ ok: false, error: { code: 'media_transport_not_found' } });

    await c.ok('createTransport', { direction: 'recv' });
    await c.ok('createTransport', { direction: 'recv' });
    await c.ok('createTransport', { direction: 'recv' });
    expect(await c.request('createTransport', { direction: 'recv' })).toMatchObject({
      ok: false,
      error: { code: 'too_many_transports' },
    });
  });

  it('produces, announces and consumes camera (simulcast) and mic; pause, resume, layers, stats, close', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'public' });
    const alice = await connect(owner.cookie);
    const bob = await connect((await newUser(t, { givenName: 'Bob', usualName: 'B' })).cookie);
    const { join: aJoin, send } = await sender(alice, room.slug);
    const bJoin = await bob.ok('join', { slug: room.slug });
    expect(bJoin.peers).toEqual([
      { peerId: aJoin.peerId, displayName: 'Olga Owner', producers: [] },
    ]);
    expect(await alice.next('peerJoined')).toEqual({ peerId: bJoin.peerId, displayName: 'Bob B' });

    const { producerId: camId } = await alice.ok('produce', {
      transportId: send.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: chromeVp8Simulcast(1000),
    });
    const { producerId: micId } = await alice.ok('produce', {
      transportId: send.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: chromeOpus(2000),
    });
    expect(await bob.next('newProducer', (p) => p.producerId === camId)).toEqual({
      peerId: aJoin.peerId,
      producerId: camId,
      kind: 'video',
      source: 'camera',
      paused: false,
    });
    expect(await bob.next('newProducer', (p) => p.producerId === micId)).toMatchObject({
      kind: 'audio',
      source: 'mic',
    });
    expect(alice.saw('newProducer')).toBe(false); // not to the producer itself

    // One producer per source and kind; a mic must be audio; produce needs a send transport.
    expect(
      await alice.request('produce', {
        transportId: send.transportId,
        kind: 'audio',
        source: 'mic',
        rtpParameters: chromeOpus(2100),
      }),
    ).toMatchObject({ ok: false, error: { code: 'producer_exists' } });
    expect(
      await alice.request('produce', {
        transportId: send.transportId,
        kind: 'video',
        source: 'mic',
        rtpParameters: chromeVp8Simulcast(2200),
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', details: [expect.objectContaining({ path: 'kind' })] },
    });
    // mediasoup's own checks come back as 400s, not 500s.
    expect(
      await alice.request('produce', {
        transportId: send.transportId,
        kind: 'video',
        source: 'screen',
        rtpParameters: {
          ...chromeVp8Simulcast(2300),
          codecs: [{ mimeType: 'video/AV2', payloadType: 96, clockRate: 90000 }],
        },
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_media_parameters' } });

    // A third peer joining now sees alice's producers.
    const carol = await connect((await newUser(t)).cookie);
    const cJoin = await carol.ok('join', { slug: room.slug });
    const aliceSeen = cJoin.peers.find((p: any) => p.peerId === aJoin.peerId);
    expect(aliceSeen.producers).toEqual(
      expect.arrayContaining([
        { producerId: camId, kind: 'video', source: 'camera', paused: false },
        { producerId: micId, kind: 'audio', source: 'mic', paused: false },
      ]),
    );

    const recv = await bob.ok('createTransport', { direction: 'recv' });
    await bob.ok('connectTransport', {
      transportId: recv.transportId,
      dtlsParameters: dtlsParameters(),
    });
    const bobSend = await bob.ok('createTransport', { direction: 'send' });
    expect(
      await bob.request('consume', {
        transportId: bobSend.transportId,
        producerId: micId,
        rtpCapabilities: bJoin.routerRtpCapabilities,
      }),
    ).toMatchObject({ ok: false, error: { code: 'transport_direction_mismatch' } });

    const mic = await bob.ok('consume', {
      transportId: recv.transportId,
      producerId: micId,
      rtpCapabilities: bJoin.routerRtpCapabilities,
    });
    expect(mic).toMatchObject({
      producerId: micId,
      peerId: aJoin.peerId,
      kind: 'audio',
      type: 'simple',
      producerPaused: false,
      rtpParameters: { codecs: [expect.objectContaining({ mimeType: 'audio/opus' })] },
    });
    // A device that cannot decode VP8 cannot receive the camera.
    const h264Only = {
      codecs: bJoin.routerRtpCapabilities.codecs.filter((x: any) => x.mimeType !== 'video/VP8'),
      headerExtensions: bJoin.routerRtpCapabilities.headerExtensions,
    };
    expect(
      await bob.request('consume', {
        transportId: recv.transportId,
        producerId: camId,
        rtpCapabilities: h264Only,
      }),
    ).toMatchObject({ ok: false, error: { code: 'cannot_consume' } });

    const cam = await bob.ok('consume', {
      transportId: recv.transportId,
      producerId: camId,
      rtpCapabilities: bJoin.routerRtpCapabilities,
    });
    expect(cam).toMatchObject({ kind: 'video', type: 'simulcast', producerPaused: false });
    expect(
      await bob.request('consume', {
        transportId: recv.transportId,
        producerId: camId,
        rtpCapabilities: bJoin.routerRtpCapabilities,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'already_consuming', details: { consumerId: cam.consumerId } },
    });
    expect(cam.rtpParameters.encodings[0]).toMatchObject({ scalabilityMode: 'L3T3' });
    const consumerOnServer = () =>
      registry.get(room.id)!.peer(bJoin.peerId).consumer(cam.consumerId);
    expect(consumerOnServer().paused).toBe(true); // created paused, as the contract says
    await bob.ok('resumeConsumer', { consumerId: cam.consumerId });
    expect(consumerOnServer().paused).toBe(false);
    await bob.ok('pauseConsumer', { consumerId: cam.consumerId });
    expect(consumerOnServer().paused).toBe(true);
    await bob.ok('resumeConsumer', { consumerId: cam.consumerId });

    expect(await bob.ok('getConsumerStats', { consumerId: cam.consumerId })).toEqual({
      currentLayers: null, // no RTP flows in this test
      preferredLayers: { spatialLayer: 2, temporalLayer: 2 },
      score: expect.objectContaining({ score: expect.any(Number) }),
    });
    await bob.ok('setPreferredLayers', {
      consumerId: cam.consumerId,
      spatialLayer: 0,
      temporalLayer: 1,
    });
    expect(await bob.ok('getConsumerStats', { consumerId: cam.consumerId })).toMatchObject({
      preferredLayers: { spatialLayer: 0, temporalLayer: 1 },
    });
    expect(await bob.request('getConsumerStats', { consumerId: micId })).toMatchObject({
      ok: false,
      error: { code: 'media_consumer_not_found' },
    });

    // The producer's own pause/resume reaches the others, not flagged as a moderator's.
    await alice.ok('pauseProducer', { producerId: camId });
    expect(await bob.next('producerPaused')).toEqual({
      peerId: aJoin.peerId,
      producerId: camId,
      byModerator: false,
    });
    expect(registry.get(room.id)!.peer(aJoin.peerId).producer(camId).paused).toBe(true);
    await alice.ok('resumeProducer', { producerId: camId });
    expect(await bob.next('producerResumed')).toEqual({ peerId: aJoin.peerId, producerId: camId });
    // Only one's own producers.
    expect(await bob.request('pauseProducer', { producerId: camId })).toMatchObject({
      ok: false,
      error: { code: 'media_producer_not_found' },
    });

    await alice.ok('closeProducer', { producerId: camId });
    expect(await bob.next('producerClosed')).toEqual({ peerId: aJoin.peerId, producerId: camId });
    expect(await bob.next('consumerClosed')).toEqual({ consumerId: cam.consumerId });
    expect(await carol.next('producerClosed')).toEqual({ peerId: aJoin.peerId, producerId: camId });

    // Alice goes: her mic goes with her; everyone is told.
    alice.close();
    expect(await bob.next('producerClosed')).toEqual({ peerId: aJoin.peerId, producerId: micId });
    expect(await bob.next('consumerClosed')).toEqual({ consumerId: mic.consumerId });
    expect(await bob.next('peerLeft')).toEqual({ peerId: aJoin.peerId });
    expect(await carol.next('peerLeft')).toEqual({ peerId: aJoin.peerId });
    expect(registry.get(room.id)!.peers.has(aJoin.peerId)).toBe(false);
  });

  it('lets moderators (only) mute a peer server side and remove a peer', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'restricted' });
    const memberUser = await newUser(t, { givenName: 'Max', usualName: 'Member' });
    const adminUser = await newUser(t, { givenName: 'Ada', usualName: 'Admin' });
    await grantRoomRole(t, owner, room.slug, memberUser, 'member');
    await grantRoomRole(t, owner, room.slug, adminUser, 'administrator');

    const member = await connect(memberUser.cookie);
    const { join: mJoin, send } = await sender(member, room.slug);
    const { producerId: micId } = await member.ok('produce', {
      transportId: send.transportId,
      kind: 'audio',
      source: 'mic',
      rtpParameters: chromeOpus(3000),
    });
    const { producerId: camId } = await member.ok('produce', {
      transportId: send.transportId,
      kind: 'video',
      source: 'camera',
      rtpParameters: chromeVp8Simulcast(3100),
    });
    const admin = await connect(adminUser.cookie);
    const aJoin = await admin.ok('join', { slug: room.slug });
    expect(aJoin).toMatchObject({ role: 'administrator', canModerate: true });

    // A member is no moderator.
    expect(await member.request('moderatorMute', { peerId: aJoin.peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden_not_moderator' },
    });
    expect(await member.request('moderatorRemove', { peerId: aJoin.peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden_not_moderator' },
    });

    // Mute without a producer id: every audio producer of the peer, not the camera.
    await admin.ok('moderatorMute', { peerId: mJoin.peerId });
    const told = { peerId: mJoin.peerId, producerId: micId, byModerator: true };
    expect(await member.next('producerPaused')).toEqual(told);
    expect(await admin.next('producerPaused')).toEqual(told);
    const peerOnServer = registry.get(room.id)!.peer(mJoin.peerId);
    expect(peerOnServer.producer(micId).paused).toBe(true);
    expect(peerOnServer.producer(camId).paused).toBe(false);
    // A named producer (the camera).
    await admin.ok('moderatorMute', { peerId: mJoin.peerId, producerId: camId });
    expect(await member.next('producerPaused')).toEqual({ ...told, producerId: camId });
    expect(peerOnServer.producer(camId).paused).toBe(true);
    expect(
      await admin.request('moderatorMute', { peerId: '00000000-0000-4000-8000-000000000000' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'media_peer_not_found' },
    });

    // A demoted administrator loses the right at once (the role is read again).
    const access = await as(t, owner.cookie).get(`/api/v1/rooms/${room.slug}/accesses`);
    const adminAccess = access.body.items.find((a: any) => a.userId === adminUser.user.id);
    const demote = await as(t, owner.cookie)
      .patch(`/api/v1/rooms/${room.slug}/accesses/${adminAccess.id}`)
      .send({ role: 'member' });
    expect(demote.status).toBe(200);
    expect(await admin.request('moderatorMute', { peerId: mJoin.peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden_not_moderator' },
    });

    // The owner removes the member: kicked, disconnected, peer closed, others told.
    const ownerClient = await connect(owner.cookie);
    await ownerClient.ok('join', { slug: room.slug });
    await ownerClient.ok('moderatorRemove', { peerId: mJoin.peerId });
    expect(await member.next('kicked')).toEqual({ reason: 'removed_by_moderator' });
    expect(await member.next('disconnect')).toBe('io server disconnect');
    expect(await admin.next('peerLeft', (p) => p.peerId === mJoin.peerId)).toEqual({
      peerId: mJoin.peerId,
    });
    expect(registry.get(room.id)!.peers.has(mJoin.peerId)).toBe(false);

    // Losing one's access to a restricted room ends one's presence in it.
    const removeAccess = await as(t, owner.cookie).delete(
      `/api/v1/rooms/${room.slug}/accesses/${adminAccess.id}`,
    );
    expect(removeAccess.status).toBe(204);
    expect(await admin.next('kicked')).toEqual({ reason: 'removed_by_moderator' });
    expect(await admin.next('disconnect')).toBe('io server disconnect');
  });

  it('refuses screen sharing when the room turns it off, except to moderators', async () => {
    const room = await newRoom(t, owner, {
      accessLevel: 'public',
      configuration: { allowScreenShare: false },
    });
    const guestish = await connect((await newUser(t)).cookie);
    const { send } = await sender(guestish, room.slug);
    const screen = {
      transportId: send.transportId,
      kind: 'video',
      source: 'screen',
      rtpParameters: chromeVp8Simulcast(4000),
    };
    expect(await guestish.request('produce', screen)).toMatchObject({
      ok: false,
      error: { code: 'screen_share_not_allowed' },
    });
    const mod = await connect(owner.cookie);
    const { send: modSend } = await sender(mod, room.slug);
    await expect(
      mod.ok('produce', { ...screen, transportId: modSend.transportId }),
    ).resolves.toMatchObject({
      producerId: expect.any(String),
    });
  });

  it('kicks everyone when the room is deleted', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'public' });
    const a = await connect(owner.cookie);
    const b = await connect((await newUser(t)).cookie);
    await a.ok('join', { slug: room.slug });
    await b.ok('join', { slug: room.slug });
    const res = await as(t, owner.cookie).delete(`/api/v1/rooms/${room.slug}`);
    expect(res.status).toBe(204);
    for (const c of [a, b]) {
      expect(await c.next('kicked')).toEqual({ reason: 'room_deleted' });
      expect(await c.next('disconnect')).toBe('io server disconnect');
    }
    await sleep(50);
    expect(registry.get(room.id)?.peers.size ?? 0).toBe(0);
  });

  it('kicks a peer whose session was revoked (re-checked periodically and on requests)', async () => {
    const room = await newRoom(t, owner, { accessLevel: 'public' });
    const user = await newUser(t);
    const other = await newUser(t);
    const c = await connect(user.cookie);
    const watcher = await connect(other.cookie);
    const join = await c.ok('join', { slug: room.slug });
    await watcher.ok('join', { slug: room.slug });
    await as(t, user.cookie).delete(`/api/v1/users/me/sessions/${user.sessionId}`).expect(204);
    expect(await c.next('kicked', undefined, 5000)).toEqual({ reason: 'session_revoked' });
    expect(await c.next('disconnect')).toBe('io server disconnect');
    expect(await watcher.next('peerLeft')).toEqual({ peerId: join.peerId });
  });
});
