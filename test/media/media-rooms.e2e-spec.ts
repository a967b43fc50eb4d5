import { once } from 'node:events';
import { MediaRoomRegistry } from '../../src/modules/media/media-room.registry';
import { MediaWorkerPool } from '../../src/modules/media/media-worker.pool';
import { MEDIA_CODECS, type MediaRoom } from '../../src/modules/media/media.room';
import { RoomNodeRegistry } from '../../src/modules/media/room-node.registry';
import { startTestApp, type TestApp } from '../support/app';
import { describeWithWorker, sleep, waitFor, WORKER_BIN } from './media-test-kit';

const GRACE_MS = 600;

/** RTP parameters of a VP8 stream as an RTP sender (ffmpeg, a recorder) would announce it. */
const vp8Send = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc }],
});
const opusSend = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
});

describeWithWorker('media rooms (real mediasoup workers)', () => {
  let t: TestApp;
  let rooms: MediaRoomRegistry;
  let pool: MediaWorkerPool;
  let seq = 0;
  const roomId = () => `room-${process.pid}-${++seq}`;

  beforeAll(async () => {
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_WORKERS: '2',
      MEDIA_PORT_BASE: '0',
      MEDIA_ROOM_EMPTY_GRACE_MS: String(GRACE_MS),
    });
    rooms = t.app.get(MediaRoomRegistry);
    pool = t.app.get(MediaWorkerPool);
  });
  afterAll(() => t?.close());

  async function routerCount(): Promise<number> {
    const dumps = await Promise.all(pool.liveSlots().map((s) => s.worker.dump()));
    return dumps.reduce((n, d) => n + d.routerIds.length, 0);
  }

  it('serializes creation: parallel getOrCreate calls get one room and one router', async () => {
    const before = await routerCount();
    const id = roomId();
    const got = await Promise.all(Array.from({ length: 8 }, () => rooms.getOrCreate(id)));
    expect(new Set(got).size).toBe(1);
    expect(new Set(got.map((r) => r.router.id)).size).toBe(1);
    expect(await routerCount()).toBe(before + 1);
    got[0].close();
  });

  it('offers Opus, VP8, VP9 (profiles 0 and 2) and H264 (42e01f, 4d0032) in the router capabilities', async () => {
    const room = await rooms.getOrCreate(roomId());
    const codecs = room.rtpCapabilities.codecs ?? [];
    const has = (mime: string, params: Record<string, unknown> = {}) =>
      codecs.some(
        (c) =>
          c.mimeType === mime && Object.entries(params).every(([k, v]) => c.parameters?.[k] === v),
      );
    expect(has('audio/opus')).toBe(true);
    expect(has('video/VP8')).toBe(true);
    expect(has('video/VP9', { 'profile-id': 0 })).toBe(true);
    expect(has('video/VP9', { 'profile-id': 2 })).toBe(true);
    expect(has('video/H264', { 'packetization-mode': 1, 'profile-level-id': '42e01f' })).toBe(true);
    expect(has('video/H264', { 'packetization-mode': 1, 'profile-level-id': '4d0032' })).toBe(true);
    expect(MEDIA_CODECS).toHaveLength(6);
    room.close();
  });

  it('places a new room on the least loaded worker', async () => {
    const busy = await rooms.getOrCreate(roomId());
    for (const p of ['a', 'b', 'c']) await busy.addPeer(p);
    const loadsBefore = rooms.loads();
    const next = await rooms.getOrCreate(roomId());
    const minIndex = [...loadsBefore.entries()].sort((x, y) => x[1] - y[1] || x[0] - y[0])[0][0];
    expect(next.workerIndex).toBe(minIndex);
    expect(next.workerIndex).not.toBe(busy.workerIndex);
    busy.close();
    next.close();
  });

  it('closes an empty room after the grace period, not before, and releases its claim', async () => {
    const id = roomId();
    const room = await rooms.getOrCreate(id);
    const peer = await room.addPeer('alice');
    await sleep(GRACE_MS + 200);
    expect(room.closed).toBe(false); // a peer is in

    const closed = once(room, 'closed');
    const leftAt = Date.now();
    peer.close();
    expect(room.peers.size).toBe(0);
    await sleep(GRACE_MS / 2);
    expect(room.closed).toBe(false);
    const [reason] = await closed;
    expect(reason).toBe('empty');
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    expect(room.router.closed).toBe(true);
    expect(rooms.get(id)).toBeUndefined();
    await waitFor(
      'claim released',
      async () => (await t.app.get(RoomNodeRegistry).locate(id)) === null,
    );
  });

  it('keeps an empty room whose peer rejoins within the grace period', async () => {
    const room = await rooms.getOrCreate(roomId());
    (await room.addPeer('bob')).close();
    await sleep(GRACE_MS / 2);
    await room.addPeer('bob');
    await sleep(GRACE_MS + 200);
    expect(room.closed).toBe(false);
    room.close();
    room.close(); // safe twice
    expect(room.closed).toBe(true);
  });

  it('replaces a reconnecting peer and closes the old one with its transports', async () => {
    const room = await rooms.getOrCreate(roomId());
    const first = await room.addPeer('carol');
    const transport = await first.createWebRtcTransport();
    expect(transport.iceCandidates.length).toBeGreaterThan(0);
    expect(
      transport.iceCandidates.every((c) => c.address === t.config.MEDIA_ANNOUNCED_ADDRESS),
    ).toBe(true);
    const second = await room.addPeer('carol');
    expect(first.closed).toBe(true);
    expect(transport.closed).toBe(true);
    expect(room.peer('carol')).toBe(second);
    expect(room.peers.size).toBe(1);
    room.close();
    expect(second.closed).toBe(true);
  });

  it('lets a peer consume another peer’s producer and tells it when that producer goes', async () => {
    const room = await rooms.getOrCreate(roomId());
    const sender = await room.addPeer('sender');
    const receiver = await room.addPeer('receiver');
    const newProducer = once(room, 'newProducer');
    const inbound = await sender.createPlainTransport({ comedia: true, rtcpMux: false });
    const producer = await sender.produce(inbound.id, {
      kind: 'video',
      rtpParameters: vp8Send(1111),
    });
    expect((await newProducer)[1]).toBe(producer);
    expect(room.producers('receiver').map((p) => p.producer.id)).toEqual([producer.id]);
    expect(room.producers('sender')).toEqual([]);

    const outbound = await receiver.createPlainTransport();
    await receiver.connectPlainTransport(outbound.id, { ip: '127.0.0.1', port: 9 });
    const consumer = await receiver.consume(outbound.id, producer.id, room.receiverRtpCapabilities);
    expect(consumer.paused).toBe(true);
    expect(receiver.consumers.get(consumer.id)).toBe(consumer);

    // A receiver that cannot decode VP8 is refused with a stable code.
    const h264Only = {
      codecs: (room.receiverRtpCapabilities.codecs ?? []).filter(
        (c) => c.mimeType === 'video/H264',
      ),
    };
    await expect(receiver.consume(outbound.id, producer.id, h264Only)).rejects.toMatchObject({
      code: 'media_cannot_consume',
    });

    const told = once(receiver, 'consumerClosed');
    producer.close();
    expect((await told)[0]).toBe(consumer);
    expect(receiver.consumers.size).toBe(0);
    expect(sender.producers.size).toBe(0);
    room.close();
  });

  it('feeds audio producers to the active speaker observer', async () => {
    const room = await rooms.getOrCreate(roomId());
    const peer = await room.addPeer('speaker');
    const transport = await peer.createPlainTransport({ comedia: true, rtcpMux: false });
    const audio = await peer.produce(transport.id, {
      kind: 'audio',
      rtpParameters: opusSend(2222),
    });
    const dump = await room.router.dump();
    expect(dump.rtpObserverIds).toContain(room.activeSpeakerObserver.id);
    expect(dump.mapProducerIdObserverIds).toContainEqual({
      key: audio.id,
      values: [room.activeSpeakerObserver.id],
    });
    room.close();
  });

  it('refuses work on a closed room or peer with stable codes', async () => {
    const room: MediaRoom = await rooms.getOrCreate(roomId());
    const peer = await room.addPeer('dave');
    peer.close();
    await expect(peer.createWebRtcTransport()).rejects.toMatchObject({ code: 'media_peer_closed' });
    expect(() => room.peer('dave')).toThrow(
      expect.objectContaining({ code: 'media_peer_not_found' }),
    );
    room.close();
    await expect(room.addPeer('erin')).rejects.toMatchObject({ code: 'media_room_closed' });
  });
});
