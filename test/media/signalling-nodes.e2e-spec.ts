import request from 'supertest';
import { MediaRoomRegistry } from '../../src/modules/media/media-room.registry';
import { MediaWorkerPool } from '../../src/modules/media/media-worker.pool';
import type { TestApp } from '../support/app';
import { as, newUser, type TestUser } from '../support/identity';
import { newRoom } from '../support/rooms';
import { describeWithWorker, waitFor } from './media-test-kit';
import { connectMedia, startTwoNodes, type MediaClient } from './signalling-test-kit';

/**
 * Two API nodes of one deployment (one database, one Redis, one key prefix,
 * one PUBLIC_URL, each its own MEDIA_NODE_URL), as behind a load balancer.
 */
describeWithWorker('media signalling across nodes, worker death and shutdown', () => {
  let a: TestApp;
  let b: TestApp;
  let owner: TestUser;
  const clients: MediaClient[] = [];
  /** A page of the site (Origin: PUBLIC_URL) talking to one node. */
  const connect = async (node: TestApp, cookie: string) => {
    const c = await connectMedia(node.url, { cookie, origin: a.url });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    ({ a, b, owner } = await startTwoNodes({ MEDIA_ROOM_CLAIM_TTL_MS: '3000' }));
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('sends a join to the node hosting the room (media_room_elsewhere with its URL); the peer joins there', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'public' });
    const onA = await connect(a, owner.cookie);
    const first = await onA.ok('join', { slug: room.slug });

    const guestUser = await newUser(a);
    const onB = await connect(b, guestUser.cookie);
    const redirect = await onB.request('join', { slug: room.slug });
    expect(redirect).toMatchObject({
      ok: false,
      error: { code: 'media_room_elsewhere', details: { nodeUrl: a.url, nodeId: 'node-a' } },
    });
    expect(b.app.get(MediaRoomRegistry).get(room.id)).toBeUndefined();

    const redirected = await connect(a, guestUser.cookie);
    const second = await redirected.ok('join', { slug: room.slug });
    expect(second.peers.map((p: any) => p.peerId)).toEqual([first.peerId]);
  });

  it('delivers events decided on one node to sockets on another (lobby decision, room deletion)', async () => {
    const restricted = await newRoom(a, owner, { accessLevel: 'restricted' });
    const waiting = await newUser(a);
    const onB = await connect(b, waiting.cookie);
    const ask = await as(a, waiting.cookie).post(`/api/v1/rooms/${restricted.slug}/request-entry`);
    expect(ask.status).toBe(200);
    // The moderator admits through node A's REST API; the requester's socket lives on B.
    await as(a, owner.cookie)
      .post(`/api/v1/rooms/${restricted.slug}/lobby/${ask.body.requestId}/admit`)
      .expect(200);
    expect(await onB.next('lobbyDecision')).toEqual({
      slug: restricted.slug,
      requestId: ask.body.requestId,
      status: 'admitted',
    });

    // Peers on A; the owner deletes the room through B.
    const room = await newRoom(a, owner, { accessLevel: 'public' });
    const peer = await connect(a, (await newUser(a)).cookie);
    await peer.ok('join', { slug: room.slug });
    await request(b.url)
      .delete(`/api/v1/rooms/${room.slug}`)
      .set('Cookie', owner.cookie)
      .set('Origin', a.url) // the site's origin: both nodes serve PUBLIC_URL
      .expect(204);
    expect(await peer.next('kicked')).toEqual({ reason: 'room_deleted' });
    expect(await peer.next('disconnect')).toBe('io server disconnect');
  });

  it('tells the peers of a room whose worker was SIGKILLed to reconnect; they re-join once a worker is back', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'public' });
    const one = await connect(a, owner.cookie);
    const two = await connect(a, (await newUser(a)).cookie);
    await one.ok('join', { slug: room.slug });
    await two.ok('join', { slug: room.slug });
    const media = a.app.get(MediaRoomRegistry).get(room.id)!;
    const pool = a.app.get(MediaWorkerPool);
    process.kill(pool.slot(media.workerIndex)!.worker.pid, 'SIGKILL');

    for (const c of [one, two]) {
      expect(await c.next('reconnectRequired')).toEqual({ reason: 'worker_died' });
    }
    expect(one.saw('peerLeft')).toBe(false); // the room is gone, not a peer
    // Still connected; the room is re-created on the replacement worker.
    const again = await waitFor(
      're-join after the worker replacement',
      async () => {
        const ack = await one.request('join', { slug: room.slug });
        if (!ack.ok) expect(ack.error.code).toBe('media_unavailable');
        return ack.ok ? ack.data : undefined;
      },
      20_000,
    );
    expect(again.roomId).toBe(room.id);
    await expect(two.ok('join', { slug: room.slug })).resolves.toMatchObject({
      peers: [expect.objectContaining({ peerId: again.peerId })],
    });
  });

  it('on shutdown tells its peers to reconnect, disconnects them and frees the room for another node', async () => {
    const room = await newRoom(a, owner, { accessLevel: 'public' });
    const onB = await connect(b, owner.cookie);
    await onB.ok('join', { slug: room.slug });
    await b.close();
    b = undefined as unknown as TestApp;
    expect(await onB.next('reconnectRequired')).toEqual({ reason: 'node_moved' });
    await onB.next('disconnect');
    const onA = await connect(a, owner.cookie);
    await expect(onA.ok('join', { slug: room.slug })).resolves.toMatchObject({ roomId: room.id });
  });
});
