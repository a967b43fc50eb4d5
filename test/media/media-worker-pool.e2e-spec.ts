import request from 'supertest';
import {
  MediaRoomRegistry,
  type MediaRoomsLostEvent,
} from '../../src/modules/media/media-room.registry';
import {
  MediaWorkerPool,
  type MediaWorkerDiedEvent,
} from '../../src/modules/media/media-worker.pool';
import { startTestApp, type TestApp } from '../support/app';
import { describeWithWorker, freePortBlock, waitFor, WORKER_BIN } from './media-test-kit';

const WORKERS = 2;

describeWithWorker('media worker pool (real mediasoup workers)', () => {
  let t: TestApp;
  let pool: MediaWorkerPool;
  let rooms: MediaRoomRegistry;
  let base: number;

  beforeAll(async () => {
    base = await freePortBlock(WORKERS);
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_WORKERS: String(WORKERS),
      MEDIA_PORT_BASE: String(base),
      MEDIA_LISTEN_IP: '127.0.0.1',
    });
    pool = t.app.get(MediaWorkerPool);
    rooms = t.app.get(MediaRoomRegistry);
  });
  afterAll(() => t?.close());

  it('starts MEDIA_WORKERS workers, each with a WebRtcServer on base+index for UDP and TCP', async () => {
    const slots = pool.liveSlots();
    expect(slots.map((s) => s.index)).toEqual([0, 1]);
    expect(new Set(slots.map((s) => s.worker.pid)).size).toBe(WORKERS);
    for (const slot of slots) {
      const dump = await slot.webRtcServer.dump();
      expect(dump.udpSockets).toEqual([{ ip: '127.0.0.1', port: base + slot.index }]);
      expect(dump.tcpServers).toEqual([{ ip: '127.0.0.1', port: base + slot.index }]);
    }
  });

  it('reports media up in readiness with live/expected workers', async () => {
    const res = await request(t.url).get('/health/ready').expect(200);
    expect(res.body.details.media).toEqual({
      status: 'up',
      up: true,
      live: WORKERS,
      expected: WORKERS,
    });
  });

  it('replaces a SIGKILLed worker at the same index and port, reports its rooms lost, and gets ready again', async () => {
    const room = await rooms.getOrCreate('killed-room');
    await room.addPeer('alice');
    const victim = pool.slot(room.workerIndex)!;
    const oldPid = victim.worker.pid;

    const died = new Promise<{ event: MediaWorkerDiedEvent; upAtDeath: boolean }>((resolve) =>
      pool.once('workerDied', (event) => resolve({ event, upAtDeath: pool.status().up })),
    );
    const lost = new Promise<MediaRoomsLostEvent>((resolve) => rooms.once('roomsLost', resolve));
    const closedReason = new Promise((resolve) => room.once('closed', resolve));

    process.kill(oldPid, 'SIGKILL');

    const { event, upAtDeath } = await died;
    expect(event).toMatchObject({ index: victim.index, pid: oldPid });
    expect(upAtDeath).toBe(false);
    await expect(lost).resolves.toEqual({ workerIndex: victim.index, roomIds: ['killed-room'] });
    await expect(closedReason).resolves.toBe('worker-died');
    expect(room.closed).toBe(true);
    expect(rooms.get('killed-room')).toBeUndefined();

    const replaced = await waitFor('a replacement worker', () => pool.slot(victim.index));
    expect(replaced.worker.pid).not.toBe(oldPid);
    const dump = await replaced.webRtcServer.dump();
    expect(dump.udpSockets[0].port).toBe(base + victim.index);

    const ready = await waitFor('readiness back to up', async () => {
      const res = await request(t.url).get('/health/ready');
      return res.status === 200 ? res : undefined;
    });
    expect(ready.body.details.media).toMatchObject({ status: 'up', live: WORKERS });

    // The room can be opened again (peers reconnecting) on a live worker.
    const again = await rooms.getOrCreate('killed-room');
    expect(again).not.toBe(room);
    expect(again.router.closed).toBe(false);
  });

  it('closes every worker process on shutdown', async () => {
    const own = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_WORKERS: '1',
      MEDIA_PORT_BASE: '0',
    });
    const pid = own.app.get(MediaWorkerPool).liveSlots()[0].worker.pid;
    expect(isAlive(pid)).toBe(true);
    await own.close();
    await waitFor('worker process gone', () => !isAlive(pid), 5000);
  });
});

describe('media without a worker binary', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker',
      MEDIA_WORKERS: '1',
    });
  });
  afterAll(() => t?.close());

  it('keeps serving but reports media down in readiness, saying why', async () => {
    await request(t.url).get('/health/live').expect(200);
    const res = await request(t.url).get('/health/ready').expect(503);
    expect(res.body.details.postgres.status).toBe('up');
    expect(res.body.details.media).toMatchObject({ status: 'down', live: 0, expected: 1 });
    expect(res.body.details.media.reason).toContain('/nonexistent/mediasoup-worker');
  });

  it('refuses to open a room with media_unavailable', async () => {
    await expect(t.app.get(MediaRoomRegistry).getOrCreate('any')).rejects.toMatchObject({
      code: 'media_unavailable',
      status: 503,
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
