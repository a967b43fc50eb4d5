import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { REDIS } from '../../common/redis/redis.module';
import { MEDIA_SETTINGS, type MediaSettings } from './media.config';
import { MediaError } from './media.errors';

/** Where a room's media lives. */
export interface RoomNode {
  nodeId: string;
  nodeUrl: string;
}

/** The outcome of a claim: this node hosts the room, or another live node does. */
export type RoomClaim = (RoomNode & { local: true }) | (RoomNode & { local: false });

export type RoomNodeRegistryEvents = {
  /** Another node holds a room this node thought it hosted (our claim expired meanwhile). */
  claimLost: [{ roomId: string; holder: RoomNode }];
};

// Take the key if free (or already ours) and (re)arm its TTL; else return the holder.
// One script for claim and heartbeat: a key that expired during a Redis hiccup
// is taken back as long as no other node took it.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return cur`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The room → node assignment, in Redis. Media state is in memory, so every
 * peer of a room must reach the node hosting its router: the first node to
 * claim a room keeps it while it heartbeats; the others redirect there.
 */
@Injectable()
export class RoomNodeRegistry
  extends EventEmitter<RoomNodeRegistryEvents>
  implements BeforeApplicationShutdown
{
  private readonly logger = new Logger(RoomNodeRegistry.name);
  private readonly held = new Set<string>();
  private readonly self: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(MEDIA_SETTINGS) private readonly settings: MediaSettings,
  ) {
    super();
    this.self = JSON.stringify({
      nodeId: settings.nodeId,
      nodeUrl: settings.nodeUrl,
    } satisfies RoomNode);
  }

  get node(): RoomNode {
    return { nodeId: this.settings.nodeId, nodeUrl: this.settings.nodeUrl };
  }

  /** Assigns the room to this node if no live node holds it; otherwise names the holder. */
  async claim(roomId: string): Promise<RoomClaim> {
    let value: string;
    try {
      value = String(
        await this.redis.eval(CLAIM, 1, this.key(roomId), this.self, this.settings.claimTtlMs),
      );
    } catch (e) {
      throw MediaError.unavailable(`Room placement store unreachable: ${(e as Error).message}`);
    }
    if (value === this.self) {
      this.held.add(roomId);
      this.ensureHeartbeat();
      return { local: true, ...this.node };
    }
    return { local: false, ...parseNode(value) };
  }

  /** Gives the room up if this node holds it. Never throws: the TTL frees it anyway. */
  async release(roomId: string): Promise<void> {
    this.held.delete(roomId);
    if (this.held.size === 0) this.stopHeartbeat();
    await this.redis.eval(RELEASE, 1, this.key(roomId), this.self).catch((e: Error) => {
      this.logger.warn(
        `could not release room ${roomId} (it expires in ${this.settings.claimTtlMs} ms): ${e.message}`,
      );
    });
  }

  /** The node holding the room now, if any. */
  async locate(roomId: string): Promise<RoomNode | null> {
    const value = await this.redis.get(this.key(roomId));
    return value ? parseNode(value) : null;
  }

  /** Re-arms the TTL of every room held; runs every third of the TTL. */
  async heartbeat(): Promise<void> {
    if (this.held.size === 0) return;
    const rooms = [...this.held];
    const pipeline = this.redis.pipeline();
    for (const roomId of rooms)
      pipeline.eval(CLAIM, 1, this.key(roomId), this.self, this.settings.claimTtlMs);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (e) {
      this.logger.warn(`room claim heartbeat failed: ${(e as Error).message}`);
      return;
    }
    rooms.forEach((roomId, i) => {
      const [error, value] = results?.[i] ?? [new Error('no reply'), null];
      if (error) {
        this.logger.warn(`room ${roomId} claim heartbeat failed: ${error.message}`);
      } else if (value !== this.self && this.held.delete(roomId)) {
        const holder = parseNode(String(value));
        this.logger.error(`room ${roomId} is now held by node ${holder.nodeId}: closing it here`);
        this.emit('claimLost', { roomId, holder });
      }
    });
  }

  /**
   * Stops heartbeating without releasing (claims then expire by TTL). What a
   * crashed node looks like to the others; also the last step of shutdown.
   */
  stop(): void {
    this.stopped = true;
    this.stopHeartbeat();
  }

  /** Releases every held room and stops. */
  async close(): Promise<void> {
    this.stop();
    await Promise.all([...this.held].map((roomId) => this.release(roomId)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private key(roomId: string): string {
    return `${this.settings.redisKeyPrefix}media:room:${roomId}`;
  }

  private ensureHeartbeat(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(
      () => void this.heartbeat(),
      Math.max(100, Math.floor(this.settings.claimTtlMs / 3)),
    );
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function parseNode(value: string): RoomNode {
  try {
    const v = JSON.parse(value) as Partial<RoomNode>;
    if (typeof v.nodeId === 'string' && typeof v.nodeUrl === 'string')
      return { nodeId: v.nodeId, nodeUrl: v.nodeUrl };
  } catch {
    // fall through
  }
  throw MediaError.unavailable(`Unreadable room placement entry: ${value.slice(0, 80)}`);
}
