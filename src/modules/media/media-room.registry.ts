import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { TransportListenInfo } from 'mediasoup/types';
import { EventEmitter } from 'node:events';
import {
  MediaWorkerPool,
  type MediaWorkerDiedEvent,
  type MediaWorkerSlot,
} from './media-worker.pool';
import { MEDIA_SETTINGS, type MediaSettings } from './media.config';
import { MediaError, MediaRoomElsewhereError } from './media.errors';
import { MediaRoom, type MediaRoomCloseReason } from './media.room';
import { RoomNodeRegistry } from './room-node.registry';

export interface MediaRoomsLostEvent {
  workerIndex: number;
  /** Rooms whose router died with the worker: their peers must reconnect. */
  roomIds: string[];
}

export type MediaRoomRegistryEvents = {
  roomCreated: [MediaRoom];
  roomClosed: [{ roomId: string; reason: MediaRoomCloseReason }];
  roomsLost: [MediaRoomsLostEvent];
};

/**
 * The rooms this node hosts. Creation is serialized per room id (two
 * concurrent joins get one router), claimed in Redis first (another node
 * hosting the room means a redirect), and placed on the least loaded worker.
 * An empty room closes after a grace period.
 */
@Injectable()
export class MediaRoomRegistry
  extends EventEmitter<MediaRoomRegistryEvents>
  implements BeforeApplicationShutdown
{
  private readonly logger = new Logger(MediaRoomRegistry.name);
  private readonly rooms = new Map<string, MediaRoom>();
  private readonly pending = new Map<string, Promise<MediaRoom>>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Rooms being placed: counted in worker load before their router exists. */
  private readonly reserved = new Map<number, number>();
  /** Rooms closed by a worker's death, until the pool's workerDied event names the worker. */
  private readonly lostByWorker = new Map<number, string[]>();
  private readonly plainListenInfo: TransportListenInfo;
  private closing = false;

  constructor(
    private readonly pool: MediaWorkerPool,
    private readonly nodes: RoomNodeRegistry,
    @Inject(MEDIA_SETTINGS) private readonly settings: MediaSettings,
  ) {
    super();
    this.plainListenInfo = {
      protocol: 'udp',
      ip: settings.listenIp,
      announcedAddress: settings.announcedAddress,
      portRange: { min: settings.rtcMinPort, max: settings.rtcMaxPort },
    };
    pool.on('workerDied', (e) => this.onWorkerDied(e));
    nodes.on('claimLost', ({ roomId }) => this.rooms.get(roomId)?.close('claim-lost'));
  }

  /**
   * The room's MediaRoom on this node, created if needed.
   * @throws MediaRoomElsewhereError when another live node hosts the room.
   * @throws MediaError `media_unavailable` when no worker is up or Redis is unreachable.
   */
  async getOrCreate(roomId: string): Promise<MediaRoom> {
    if (this.closing) throw MediaError.unavailable('Media is shutting down');
    const existing = this.rooms.get(roomId);
    if (existing && !existing.closed) {
      // A join in progress: do not let the grace timer close the room under it.
      if (existing.peers.size === 0) this.armGrace(existing);
      return existing;
    }
    let pending = this.pending.get(roomId);
    if (!pending) {
      pending = this.create(roomId).finally(() => this.pending.delete(roomId));
      this.pending.set(roomId, pending);
    }
    return pending;
  }

  get(roomId: string): MediaRoom | undefined {
    const room = this.rooms.get(roomId);
    return room && !room.closed ? room : undefined;
  }

  list(): MediaRoom[] {
    return [...this.rooms.values()];
  }

  /** Load per live worker index (routers + peers), reservations included. */
  loads(): Map<number, number> {
    const loads = new Map<number, number>();
    for (const slot of this.pool.liveSlots())
      loads.set(slot.index, this.reserved.get(slot.index) ?? 0);
    for (const room of this.rooms.values()) {
      const current = loads.get(room.workerIndex);
      if (current !== undefined) loads.set(room.workerIndex, current + room.load);
    }
    return loads;
  }

  /** Closes every room (releasing their claims). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.pending.values()]);
    const rooms = [...this.rooms.values()];
    for (const room of rooms) room.close('shutdown');
    // Releases are started by the closed handlers; wait for them to land.
    await Promise.all(rooms.map((room) => this.nodes.release(room.id)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async create(roomId: string): Promise<MediaRoom> {
    const claim = await this.nodes.claim(roomId);
    if (!claim.local) throw new MediaRoomElsewhereError(roomId, claim.nodeId, claim.nodeUrl);
    let slot: MediaWorkerSlot | undefined;
    try {
      slot = this.leastLoaded();
      this.reserved.set(slot.index, (this.reserved.get(slot.index) ?? 0) + 1);
      const room = await MediaRoom.create({
        id: roomId,
        slot,
        plainListenInfo: this.plainListenInfo,
      });
      if (this.closing) {
        room.close('shutdown');
        throw MediaError.unavailable('Media is shutting down');
      }
      this.adopt(room);
      return room;
    } catch (e) {
      await this.nodes.release(roomId);
      throw e;
    } finally {
      if (slot) this.reserved.set(slot.index, (this.reserved.get(slot.index) ?? 1) - 1);
    }
  }

  private leastLoaded(): MediaWorkerSlot {
    let best: { slot: MediaWorkerSlot; load: number } | undefined;
    const loads = this.loads();
    for (const slot of this.pool.liveSlots()) {
      const load = loads.get(slot.index) ?? 0;
      if (!best || load < best.load) best = { slot, load };
    }
    if (!best) throw MediaError.unavailable('No media worker is running', this.pool.status());
    return best.slot;
  }

  private adopt(room: MediaRoom): void {
    this.rooms.set(room.id, room);
    room.on('peerAdded', () => this.clearGrace(room.id));
    room.on('peerRemoved', () => {
      if (room.peers.size === 0 && !room.closed) this.armGrace(room);
    });
    room.once('closed', (reason) => {
      this.clearGrace(room.id);
      if (this.rooms.get(room.id) === room) this.rooms.delete(room.id);
      if (reason === 'worker-died') {
        const lost = this.lostByWorker.get(room.workerIndex) ?? [];
        lost.push(room.id);
        this.lostByWorker.set(room.workerIndex, lost);
      }
      if (reason !== 'claim-lost') void this.nodes.release(room.id);
      this.logger.log(`room ${room.id} closed (${reason})`);
      this.emit('roomClosed', { roomId: room.id, reason });
    });
    this.armGrace(room);
    this.emit('roomCreated', room);
  }

  private armGrace(room: MediaRoom): void {
    this.clearGrace(room.id);
    const timer = setTimeout(() => {
      this.graceTimers.delete(room.id);
      if (room.peers.size === 0) room.close('empty');
    }, this.settings.roomEmptyGraceMs);
    timer.unref();
    this.graceTimers.set(room.id, timer);
  }

  private clearGrace(roomId: string): void {
    const timer = this.graceTimers.get(roomId);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(roomId);
  }

  private onWorkerDied({ index }: MediaWorkerDiedEvent): void {
    // mediasoup closes a dead worker's routers (and so our rooms) before it
    // emits `died`; anything still open on that index is closed here.
    for (const room of [...this.rooms.values()])
      if (room.workerIndex === index) room.close('worker-died');
    const roomIds = this.lostByWorker.get(index) ?? [];
    this.lostByWorker.delete(index);
    if (roomIds.length) this.logger.warn(`worker ${index} died with rooms ${roomIds.join(', ')}`);
    this.emit('roomsLost', { workerIndex: index, roomIds });
  }
}
