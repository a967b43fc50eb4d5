import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { MediaRoomRegistry } from '../../src/modules/media/media-room.registry';
import { MediaRoomElsewhereError } from '../../src/modules/media/media.errors';
import { RoomNodeRegistry } from '../../src/modules/media/room-node.registry';
import { startTestApp, TEST_REDIS_URL, type TestApp } from '../support/app';
import { describeWithWorker, sleep, waitFor, WORKER_BIN } from './media-test-kit';

const TTL_MS = 900;

/** Two nodes of one deployment: separate processes' worth of state, one Redis, one key prefix. */
describeWithWorker('room → node assignment in Redis (two nodes)', () => {
  const prefix = `visio:test:${randomBytes(4).toString('hex')}:`;
  let a: TestApp;
  let b: TestApp;
  let roomsA: MediaRoomRegistry;
  let roomsB: MediaRoomRegistry;
  let redis: Redis;
  let seq = 0;
  const roomId = () => `shared-${++seq}`;
  const key = (id: string) => `${prefix}media:room:${id}`;

  const node = (id: string) =>
    startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_WORKERS: '1',
      MEDIA_PORT_BASE: '0',
      REDIS_KEY_PREFIX: prefix,
      NODE_ID: id,
      MEDIA_ROOM_CLAIM_TTL_MS: String(TTL_MS),
      MEDIA_ROOM_EMPTY_GRACE_MS: '60000',
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([node('node-a'), node('node-b')]);
    roomsA = a.app.get(MediaRoomRegistry);
    roomsB = b.app.get(MediaRoomRegistry);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    redis?.disconnect();
  });

  async function redirectOf(
    rooms: MediaRoomRegistry,
    id: string,
  ): Promise<MediaRoomElsewhereError> {
    const error = await rooms.getOrCreate(id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaRoomElsewhereError);
    return error as MediaRoomElsewhereError;
  }

  it('gives a room to the first node and redirects the other to its URL', async () => {
    const id = roomId();
    const room = await roomsA.getOrCreate(id);
    const redirect = await redirectOf(roomsB, id);
    expect(redirect).toMatchObject({
      code: 'media_room_elsewhere',
      nodeId: 'node-a',
      nodeUrl: a.url,
    });
    expect(await b.app.get(RoomNodeRegistry).locate(id)).toEqual({
      nodeId: 'node-a',
      nodeUrl: a.url,
    });
    expect(roomsB.get(id)).toBeUndefined();
    room.close();
  });

  it('lets exactly one of two nodes racing for a fresh room host it', async () => {
    const id = roomId();
    const [ra, rb] = await Promise.allSettled([roomsA.getOrCreate(id), roomsB.getOrCreate(id)]);
    const hosted = [ra, rb].filter((r) => r.status === 'fulfilled');
    expect(hosted).toHaveLength(1);
    const loser = (ra.status === 'rejected' ? ra : rb) as PromiseRejectedResult;
    const winnerUrl = ra.status === 'fulfilled' ? a.url : b.url;
    expect(loser.reason).toMatchObject({ code: 'media_room_elsewhere', nodeUrl: winnerUrl });
    (hosted[0] as PromiseFulfilledResult<{ close(): void }>).value.close();
  });

  it('keeps the claim alive by heartbeat well past its TTL', async () => {
    const id = roomId();
    const room = await roomsA.getOrCreate(id);
    await sleep(TTL_MS * 3);
    expect(room.closed).toBe(false);
    expect(await redis.pttl(key(id))).toBeGreaterThan(0);
    await redirectOf(roomsB, id);
    room.close();
  });

  it('releases the claim when the room closes, so the other node can host it next', async () => {
    const id = roomId();
    const room = await roomsA.getOrCreate(id);
    room.close();
    const onB = await waitFor('node B to host the room', () =>
      roomsB.getOrCreate(id).catch(() => undefined),
    );
    expect(onB.closed).toBe(false);
    expect((await redirectOf(roomsA, id)).nodeUrl).toBe(b.url);
    onB.close();
  });

  it('closes a room whose claim another node took over (claim-lost) without deleting that claim', async () => {
    const id = roomId();
    const room = await roomsA.getOrCreate(id);
    const intruder = JSON.stringify({ nodeId: 'node-b', nodeUrl: b.url });
    await redis.set(key(id), intruder, 'PX', 60_000);
    const [reason] = await once(room, 'closed');
    expect(reason).toBe('claim-lost');
    await sleep(100);
    expect(await redis.get(key(id))).toBe(intruder);
    expect(roomsA.get(id)).toBeUndefined();
    await redis.del(key(id));
  });

  it('lets the other node take over once a crashed node’s claim expires', async () => {
    const id = roomId();
    await roomsA.getOrCreate(id);
    // A crash: heartbeats stop, nothing is released.
    a.app.get(RoomNodeRegistry).stop();
    await redirectOf(roomsB, id);
    const onB = await waitFor(
      'the claim to expire',
      () => roomsB.getOrCreate(id).catch(() => undefined),
      TTL_MS * 4,
    );
    expect(onB.closed).toBe(false);
    expect(await b.app.get(RoomNodeRegistry).locate(id)).toEqual({
      nodeId: 'node-b',
      nodeUrl: b.url,
    });
  });
});
