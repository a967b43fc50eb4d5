/**
 * Fan-out benchmark: one VP8 producer (ffmpeg → comedia PlainTransport), N
 * consumers on ONE worker, each on its own PlainTransport sending to local UDP
 * sink sockets that count packets. Runs the same load twice in one process:
 * bare mediasoup, then through the service's own classes (pool, registry,
 * room, peers), and prints the ratio. See bench/README.md.
 */
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { createWorker } from 'mediasoup';
import type {
  Consumer,
  PlainTransport,
  Producer,
  RtpCapabilities,
  RtpParameters,
  Worker,
} from 'mediasoup/types';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { Worker as Thread, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { MediaRoomRegistry } from '../src/modules/media/media-room.registry';
import { MediaWorkerPool } from '../src/modules/media/media-worker.pool';
import type { MediaSettings } from '../src/modules/media/media.config';
import { MEDIA_CODECS } from '../src/modules/media/media.room';
import { RoomNodeRegistry } from '../src/modules/media/room-node.registry';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      consumers: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '20' },
      bitrate: { type: 'string', default: '1M' },
      sinks: { type: 'string', default: '4' },
      only: { type: 'string' },
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      'rtc-min-port': { type: 'string', default: '41000' },
      'rtc-max-port': { type: 'string', default: '49999' },
    },
  });
  const positive = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  if (values.only && !['bare', 'service'].includes(values.only))
    throw new Error('--only takes bare or service');
  return {
    consumers: positive('consumers'),
    seconds: positive('seconds'),
    sinks: positive('sinks'),
    rtcMinPort: positive('rtc-min-port'),
    rtcMaxPort: positive('rtc-max-port'),
    bitrate: values.bitrate!,
    only: values.only,
    redis: values.redis!,
  };
}
type Options = ReturnType<typeof parseOptions>;

const WORKER_BIN = process.env.MEDIASOUP_WORKER_BIN;
const PRODUCER_SSRC = 11111111;

/** What each variant builds; the measurement is the same for both. */
interface Fanout {
  worker: Worker;
  producerTransport: PlainTransport;
  producer: Producer;
  consumers: Consumer[];
  teardown(): Promise<void>;
}

interface Result {
  label: string;
  producerPps: number;
  forwardedPps: number;
  expected: number;
  received: number;
  sentByWorker: number;
  /** Packets of other SSRCs (probation) over the whole run. */
  other: number;
  loss: number;
  cpuSeconds: number;
  cpuSecondsPerMillion: number;
}

const vp8Send: RtpParameters = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: PRODUCER_SSRC }],
};

interface SinkCounts {
  perSsrc: Map<number, number>;
  total: number;
}

/**
 * Local UDP sockets counting RTP packets per SSRC (RTCP ignored), in their
 * own thread: the measuring instrument must not share an event loop with the
 * code under test, or its pauses show up as kernel drops at the sink.
 */
class Sink {
  private readonly waiting: Array<(counts: SinkCounts) => void> = [];

  private constructor(
    private readonly thread: Thread,
    readonly ports: number[],
    readonly recvBuffer: number,
  ) {
    thread.on('message', (m: { perSsrc: Array<[number, number]>; total: number }) =>
      this.waiting.shift()?.({ perSsrc: new Map(m.perSsrc), total: m.total }),
    );
  }

  static async open(count: number): Promise<Sink> {
    const thread = new Thread(__filename, { workerData: { sinkSockets: count } });
    const ready = await new Promise<{ ports: number[]; recvBuffer: number }>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    return new Sink(thread, ready.ports, ready.recvBuffer);
  }

  snapshot(): Promise<SinkCounts> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.thread.postMessage('snapshot');
    });
  }

  port(i: number): number {
    return this.ports[i % this.ports.length];
  }

  async close(): Promise<void> {
    await this.thread.terminate();
  }
}

/** RTP packets from the given SSRCs (mediasoup's probation stream, SSRC 1234, is not media). */
function countOf(counts: SinkCounts, ssrcs: Set<number>): number {
  let n = 0;
  for (const [ssrc, count] of counts.perSsrc) if (ssrcs.has(ssrc)) n += count;
  return n;
}

/** The sink thread's body. */
async function runSinkThread(sockets: number): Promise<void> {
  const perSsrc = new Map<number, number>();
  let total = 0;
  const ports: number[] = [];
  let recvBuffer = 0;
  for (let i = 0; i < sockets; i++) {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 32 * 1024 * 1024 });
    socket.on('message', (msg) => {
      // RFC 5761: second byte 192..223 is RTCP on a muxed port.
      if (msg.length < 12 || (msg[1] >= 192 && msg[1] <= 223)) return;
      const ssrc = msg.readUInt32BE(8);
      perSsrc.set(ssrc, (perSsrc.get(ssrc) ?? 0) + 1);
      total++;
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    recvBuffer = socket.getRecvBufferSize();
    ports.push(socket.address().port);
  }
  parentPort!.on('message', () => parentPort!.postMessage({ perSsrc: [...perSsrc], total }));
  parentPort!.postMessage({ ports, recvBuffer });
}

async function bare(o: Options, sink: Sink): Promise<Fanout> {
  const worker = await createWorker({
    workerBin: WORKER_BIN,
    logLevel: 'warn',
    rtcMinPort: o.rtcMinPort,
    rtcMaxPort: o.rtcMaxPort,
  });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
  const producerTransport = await router.createPlainTransport({
    listenInfo,
    comedia: true,
    rtcpMux: false,
  });
  const producer = await producerTransport.produce({ kind: 'video', rtpParameters: vp8Send });
  const consumers: Consumer[] = [];
  for (let i = 0; i < o.consumers; i++) {
    const transport = await router.createPlainTransport({ listenInfo, rtcpMux: true });
    await transport.connect({ ip: '127.0.0.1', port: sink.port(i) });
    consumers.push(
      await transport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
        paused: false,
      }),
    );
  }
  return {
    worker,
    producerTransport,
    producer,
    consumers,
    teardown: async () => {
      const exited = new Promise<void>((r) => worker.once('subprocessclose', () => r()));
      worker.close();
      await exited;
    },
  };
}

/** The same load through the service's classes, built as MediaModule wires them (without Nest's container). */
async function service(o: Options, sink: Sink): Promise<Fanout> {
  const settings: MediaSettings = {
    workerBin: WORKER_BIN,
    workers: 1,
    workerLogLevel: 'warn',
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    portBase: 0,
    rtcMinPort: o.rtcMinPort,
    rtcMaxPort: o.rtcMaxPort,
    roomEmptyGraceMs: 600_000,
    nodeId: `bench-${process.pid}`,
    nodeUrl: 'http://127.0.0.1:0',
    claimTtlMs: 15_000,
    redisKeyPrefix: `visio:bench:${randomBytes(4).toString('hex')}:`,
  };
  const redis = new Redis(o.redis, { maxRetriesPerRequest: 1 });
  const pool = new MediaWorkerPool(settings);
  await pool.start();
  const slot = pool.slot(0);
  if (!slot) throw new Error(`no media worker: ${pool.status().reason ?? 'see the log above'}`);
  const nodes = new RoomNodeRegistry(redis, settings);
  const registry = new MediaRoomRegistry(pool, nodes, settings);
  const room = await registry.getOrCreate('bench-room');
  const source = await room.addPeer('ffmpeg');
  const producerTransport = await source.createPlainTransport({ comedia: true, rtcpMux: false });
  const producer = await source.produce(producerTransport.id, {
    kind: 'video',
    rtpParameters: vp8Send,
  });
  const consumers: Consumer[] = [];
  for (let i = 0; i < o.consumers; i++) {
    const peer = await room.addPeer(`sink-${i}`);
    const transport = await peer.createPlainTransport();
    await peer.connectPlainTransport(transport.id, { ip: '127.0.0.1', port: sink.port(i) });
    consumers.push(
      await peer.consume(transport.id, producer.id, room.receiverRtpCapabilities, {
        paused: false,
      }),
    );
  }
  return {
    worker: slot.worker,
    producerTransport,
    producer,
    consumers,
    teardown: async () => {
      await registry.close();
      await nodes.close();
      await pool.close();
      redis.disconnect();
    },
  };
}

function startFfmpeg(o: Options, transport: PlainTransport): ChildProcess {
  const port = transport.tuple.localPort;
  const rtcpPort = transport.rtcpTuple?.localPort;
  if (!rtcpPort) throw new Error('producer transport has no RTCP port (rtcpMux must be false)');
  // Noise keeps the encoder near its target bitrate (a still test card compresses to nothing).
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-vf', 'noise=alls=20:allf=t'],
      ...['-an', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '30'],
      ...['-b:v', o.bitrate, '-minrate', o.bitrate, '-maxrate', o.bitrate, '-bufsize', o.bitrate],
      ...['-payload_type', '101', '-ssrc', String(PRODUCER_SSRC), '-f', 'rtp'],
      `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}&pkt_size=1200`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

async function producerPackets(producer: Producer): Promise<number> {
  const stats = await producer.getStats();
  return stats.reduce((n, s) => n + s.packetCount, 0);
}

async function workerSent(consumers: Consumer[]): Promise<number> {
  let n = 0;
  for (const c of consumers) {
    for (const s of await c.getStats()) if (s.type === 'outbound-rtp') n += s.packetCount;
  }
  return n;
}

async function cpuMs(worker: Worker): Promise<number> {
  const ru = await worker.getResourceUsage();
  return ru.ru_utime + ru.ru_stime;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(
  o: Options,
  label: string,
  build: (o: Options, sink: Sink) => Promise<Fanout>,
): Promise<Result> {
  const sink = await Sink.open(o.sinks);
  process.stderr.write(
    `[${label}] setting up 1 producer → ${o.consumers} consumers on one worker…\n`,
  );
  const setupStart = Date.now();
  const f = await build(o, sink);
  process.stderr.write(`[${label}] set up in ${Date.now() - setupStart} ms; starting ffmpeg\n`);
  const ff = startFfmpeg(o, f.producerTransport);
  try {
    const media = new Set(f.consumers.map((c) => c.rtpParameters.encodings![0].ssrc!));
    // Consumers forward from the first keyframe on (every second, -g 30).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { perSsrc } = await sink.snapshot();
      const seen = [...media].filter((s) => perSsrc.has(s)).length;
      if (seen === media.size) break;
      if (Date.now() > deadline || ff.exitCode !== null) {
        throw new Error(
          `[${label}] only ${seen}/${media.size} consumers delivered within 15 s (ffmpeg exit ${ff.exitCode})`,
        );
      }
      await sleep(100);
    }
    await sleep(1000);

    const sent0 = await workerSent(f.consumers);
    const p0 = await producerPackets(f.producer);
    const s0 = countOf(await sink.snapshot(), media);
    const cpu0 = await cpuMs(f.worker);
    const t0 = performance.now();
    process.stderr.write(
      `[${label}] measuring for ${o.seconds} s (sink socket receive buffer ${sink.recvBuffer} bytes)\n`,
    );
    await sleep(o.seconds * 1000);
    const cpu1 = await cpuMs(f.worker);
    const t1 = performance.now();
    const s1 = countOf(await sink.snapshot(), media);
    const p1 = await producerPackets(f.producer);

    // SIGTERM makes ffmpeg flush its encoder and send on: stop it dead, then let in-flight packets land.
    const exited = new Promise((r) => ff.once('exit', r));
    ff.kill('SIGKILL');
    await exited;
    await sleep(500);
    const pEnd = await producerPackets(f.producer);
    const end = await sink.snapshot();
    const sEnd = countOf(end, media);
    const sentEnd = await workerSent(f.consumers);

    const seconds = (t1 - t0) / 1000;
    const expected = (pEnd - p0) * o.consumers;
    const received = sEnd - s0;
    const forwarded = s1 - s0;
    const cpuSeconds = (cpu1 - cpu0) / 1000;
    return {
      label,
      producerPps: (p1 - p0) / seconds,
      forwardedPps: forwarded / seconds,
      expected,
      received,
      sentByWorker: sentEnd - sent0,
      other: end.total - sEnd,
      loss: expected > 0 ? 1 - received / expected : NaN,
      cpuSeconds,
      cpuSecondsPerMillion: forwarded > 0 ? cpuSeconds / (forwarded / 1e6) : NaN,
    };
  } finally {
    if (ff.exitCode === null) ff.kill('SIGKILL');
    await f.teardown();
    await sink.close();
  }
}

function print(r: Result): void {
  process.stdout.write(
    `${r.label.padEnd(8)} producer ${r.producerPps.toFixed(0).padStart(4)} pkt/s | forwarded ${r.forwardedPps
      .toFixed(0)
      .padStart(
        6,
      )} pkt/s | loss ${(r.loss * 100).toFixed(3)}% (expected ${r.expected}, received ${r.received}, ` +
      `worker sent ${r.sentByWorker}) | worker CPU ${r.cpuSeconds.toFixed(2)} s = ` +
      `${r.cpuSecondsPerMillion.toFixed(2)} CPU-s per million forwarded\n`,
  );
}

async function main(): Promise<void> {
  const o = parseOptions();
  Logger.overrideLogger(['error', 'warn']);
  if (!WORKER_BIN) {
    throw new Error(
      'MEDIASOUP_WORKER_BIN is unset: set it to the worker binary, see bench/README.md',
    );
  }
  if (spawnSync('ffmpeg', ['-version']).status !== 0)
    throw new Error('ffmpeg not found on PATH (apt-get install -y ffmpeg)');
  process.stdout.write(
    `media fan-out: 1 VP8 producer (${o.bitrate}bps) → ${o.consumers} consumers on one worker, ` +
      `${o.seconds} s per run, ${o.sinks} sink sockets in their own thread\n`,
  );
  const results: Result[] = [];
  if (o.only !== 'service') results.push(await measure(o, 'bare', bare));
  if (o.only !== 'bare') results.push(await measure(o, 'service', service));
  for (const r of results) print(r);
  const [b, s] = results;
  if (b && s) {
    // Per producer packet: ffmpeg's rate differs a little between runs.
    const perProducer = (r: Result) => r.forwardedPps / r.producerPps;
    process.stdout.write(
      `ratio service/bare: forwarded per producer packet ${(perProducer(s) / perProducer(b)).toFixed(3)}, ` +
        `forwarded pkt/s ${(s.forwardedPps / b.forwardedPps).toFixed(3)}, ` +
        `CPU-s per million ${(s.cpuSecondsPerMillion / b.cpuSecondsPerMillion).toFixed(3)}, ` +
        `loss ${(s.loss * 100).toFixed(3)}% vs ${(b.loss * 100).toFixed(3)}%\n`,
    );
  }
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(
        `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exit(1);
    },
  );
} else {
  void runSinkThread((workerData as { sinkSockets: number }).sinkSockets);
}
