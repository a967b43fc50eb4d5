import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { createWorker, workerBin as mediasoupDefaultWorkerBin } from 'mediasoup';
import type { TransportListenInfo, WebRtcServer, Worker } from 'mediasoup/types';
import { EventEmitter } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import { MEDIA_SETTINGS, type MediaSettings } from './media.config';

/** One live mediasoup worker, its index in the pool and its WebRtcServer. */
export interface MediaWorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  readonly webRtcServer: WebRtcServer;
}

export interface MediaWorkerDiedEvent {
  index: number;
  pid: number;
  error: Error;
}

export type MediaWorkerPoolEvents = {
  /** A worker process died; its routers are gone. A replacement is being started at the same index. */
  workerDied: [MediaWorkerDiedEvent];
  /** A worker is up at `slot.index` (first start or replacement). */
  workerReady: [MediaWorkerSlot];
};

export interface MediaWorkerPoolStatus {
  up: boolean;
  live: number;
  expected: number;
  reason?: string;
}

const MAX_RETRY_DELAY_MS = 30_000;
/** A worker that lived this long was healthy: its death is replaced at once. */
const STABLE_AFTER_MS = 10_000;

/**
 * N mediasoup workers, one WebRtcServer each (UDP+TCP on port base+index).
 * A dead worker is replaced at the same index so that its port, and the
 * clients' idea of where media lives, stay the same.
 */
@Injectable()
export class MediaWorkerPool
  extends EventEmitter<MediaWorkerPoolEvents>
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(MediaWorkerPool.name);
  private readonly slots: Array<MediaWorkerSlot | undefined>;
  private readonly retryTimers = new Map<number, NodeJS.Timeout>();
  private readonly failures = new Map<number, number>();
  private readonly workerBin: string;
  private unavailableReason: string | undefined;
  private closing = false;

  constructor(@Inject(MEDIA_SETTINGS) private readonly settings: MediaSettings) {
    super();
    this.slots = new Array<MediaWorkerSlot | undefined>(settings.workers).fill(undefined);
    // mediasoup's own default already honours MEDIASOUP_WORKER_BIN from the environment.
    this.workerBin = settings.workerBin ?? mediasoupDefaultWorkerBin;
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Starts every worker. Never throws: without a usable binary media is
   * reported unavailable (and readiness down) while the rest of the service
   * runs; a worker that fails to start is retried with backoff.
   */
  async start(): Promise<void> {
    const problem = this.binaryProblem();
    if (problem) {
      this.unavailableReason = problem;
      this.logger.error(`Media is unavailable: ${problem}`);
      return;
    }
    await Promise.all(this.slots.map((_, index) => this.spawn(index)));
    const live = this.liveSlots().length;
    this.logger.log(`${live}/${this.expected} mediasoup workers up (${this.workerBin})`);
  }

  get expected(): number {
    return this.settings.workers;
  }

  /** Workers that are up now, by index. */
  liveSlots(): MediaWorkerSlot[] {
    return this.slots.filter((s): s is MediaWorkerSlot => s !== undefined && !s.worker.closed);
  }

  slot(index: number): MediaWorkerSlot | undefined {
    const s = this.slots[index];
    return s && !s.worker.closed ? s : undefined;
  }

  status(): MediaWorkerPoolStatus {
    const live = this.liveSlots().length;
    const reason =
      this.unavailableReason ??
      (live < this.expected ? `${this.expected - live} worker(s) down` : undefined);
    return {
      up: live === this.expected,
      live,
      expected: this.expected,
      ...(reason ? { reason } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    const exits = this.liveSlots().map((s) => {
      const exited = waitForExit(s.worker);
      s.worker.close();
      return exited;
    });
    this.slots.fill(undefined);
    await Promise.all(exits);
  }

  private binaryProblem(): string | undefined {
    const hint = this.settings.workerBin
      ? ''
      : ' (MEDIASOUP_WORKER_BIN is unset: build a worker with scripts/build-mediasoup-worker.sh and set MEDIASOUP_WORKER_BIN to the path it prints)';
    try {
      if (!statSync(this.workerBin).isFile())
        return `mediasoup worker binary ${this.workerBin} is not a file${hint}`;
      accessSync(this.workerBin, constants.X_OK);
      return undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? `mediasoup worker binary not found at ${this.workerBin}${hint}`
        : `mediasoup worker binary ${this.workerBin} is not executable (${code ?? (e as Error).message})${hint}`;
    }
  }

  private async spawn(index: number): Promise<void> {
    if (this.closing) return;
    let slot: MediaWorkerSlot;
    try {
      slot = await this.createSlot(index);
    } catch (e) {
      const delay = this.backoff(index);
      this.logger.error(
        `mediasoup worker ${index} failed to start: ${(e as Error).message}; retrying in ${delay} ms`,
      );
      this.spawnLater(index, delay);
      return;
    }
    if (this.closing) {
      slot.worker.close();
      return;
    }
    this.slots[index] = slot;
    const startedAt = Date.now();
    slot.worker.once('died', (error) => this.onDied(slot, error, Date.now() - startedAt));
    this.emit('workerReady', slot);
  }

  private async createSlot(index: number): Promise<MediaWorkerSlot> {
    const s = this.settings;
    const worker = await createWorker({
      workerBin: this.workerBin,
      logLevel: s.workerLogLevel,
      rtcMinPort: s.rtcMinPort,
      rtcMaxPort: s.rtcMaxPort,
      appData: { index },
    });
    // With port base 0 (tests, several instances on one machine) free
    // ports are picked from the RTC range instead of a fixed port per worker.
    const where: Pick<TransportListenInfo, 'port' | 'portRange'> =
      s.portBase === 0
        ? { portRange: { min: s.rtcMinPort, max: s.rtcMaxPort } }
        : { port: s.portBase + index };
    try {
      const webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: s.listenIp, announcedAddress: s.announcedAddress, ...where },
          { protocol: 'tcp', ip: s.listenIp, announcedAddress: s.announcedAddress, ...where },
        ],
      });
      return { index, worker, webRtcServer };
    } catch (e) {
      worker.close();
      throw e;
    }
  }

  private onDied(slot: MediaWorkerSlot, error: Error, livedMs: number): void {
    if (this.slots[slot.index] === slot) this.slots[slot.index] = undefined;
    // A worker that keeps dying right after start must not be respawned in a tight loop.
    if (livedMs >= STABLE_AFTER_MS) this.failures.delete(slot.index);
    const delay = livedMs < STABLE_AFTER_MS ? this.backoff(slot.index) : 0;
    this.logger.error(
      `mediasoup worker ${slot.index} (pid ${slot.worker.pid}) died: ${error.message}` +
        (this.closing ? '' : `; replacing it${delay ? ` in ${delay} ms` : ''}`),
    );
    this.emit('workerDied', { index: slot.index, pid: slot.worker.pid, error });
    this.spawnLater(slot.index, delay);
  }

  /** The next retry delay for this index: 0.5 s doubling up to 30 s. */
  private backoff(index: number): number {
    const attempt = (this.failures.get(index) ?? 0) + 1;
    this.failures.set(index, attempt);
    return Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** (attempt - 1));
  }

  private spawnLater(index: number, delay: number): void {
    if (this.closing) return;
    if (delay === 0) {
      void this.spawn(index);
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(index);
      void this.spawn(index);
    }, delay);
    timer.unref();
    this.retryTimers.set(index, timer);
  }
}

/** Resolves when the worker's process is gone (or after 3 s: shutdown must not hang on it). */
function waitForExit(worker: Worker): Promise<void> {
  if (worker.subprocessClosed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    timer.unref();
    worker.once('subprocessclose', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
