import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { parseConfig } from '../../src/config/config.schema';
import { freePort, startTestApp, TEST_REDIS_URL, type TestApp } from '../support/app';
import { newUser, type TestUser } from '../support/identity';
import { WORKER_BIN } from './media-test-kit';

/** A socket.io client of /media, as a browser page of `origin` with `cookie` would open it. */
export interface MediaClient {
  socket: Socket;
  /** Every event received, in order (name, payload). */
  events: Array<[string, any]>;
  request<T = any>(name: string, payload?: unknown): Promise<Ack<T>>;
  /** Like request, but fails the test unless the ack is ok; returns its data. */
  ok<T = any>(name: string, payload?: unknown): Promise<T>;
  /** The next (or an already received, unconsumed) event `name` matching `match`. */
  next<T = any>(name: string, match?: (payload: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Whether an event `name` matching `match` was received. */
  saw(name: string, match?: (payload: any) => boolean): boolean;
  close(): void;
}

export type Ack<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: any } };

export async function connectMedia(
  baseUrl: string,
  options: { cookie?: string; origin?: string | null } = {},
): Promise<MediaClient> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin !== null) headers.origin = options.origin ?? baseUrl;
  const socket = io(`${baseUrl}/media`, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  const events: Array<[string, any]> = [];
  const consumed = new Set<number>();
  const waiters: Array<() => void> = [];
  socket.onAny((name: string, payload: unknown) => {
    events.push([name, payload]);
    for (const w of waiters.splice(0)) w();
  });
  socket.on('disconnect', (reason) => {
    events.push(['disconnect', reason]);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(new Error(e.message), { data: e.data }));
    });
  });

  const client: MediaClient = {
    socket,
    events,
    request: (name, payload) =>
      (payload === undefined
        ? socket.timeout(10_000).emitWithAck(name)
        : socket.timeout(10_000).emitWithAck(name, payload)) as Promise<any>,
    ok: async (name, payload) => {
      const ack = await client.request(name, payload);
      if (!ack.ok) throw new Error(`${name} failed: ${JSON.stringify(ack.error)}`);
      return ack.data;
    },
    next: (name, match = () => true, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const pending: { timer?: NodeJS.Timeout } = {};
        const find = () => {
          const i = events.findIndex(([n, p], idx) => n === name && !consumed.has(idx) && match(p));
          if (i < 0) return false;
          consumed.add(i);
          clearTimeout(pending.timer);
          resolve(events[i][1]);
          return true;
        };
        const wait = () => {
          if (!find()) waiters.push(wait);
        };
        if (find()) return;
        pending.timer = setTimeout(
          () =>
            reject(
              new Error(
                `no ${name} event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e[0]))}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push(wait);
      }),
    saw: (name, match = () => true) => events.some(([n, p]) => n === name && match(p)),
    close: () => socket.close(),
  };
  return client;
}

/** A connect that must be refused: resolves with the connect_error. */
export async function refusedConnect(
  baseUrl: string,
  options: { cookie?: string; origin?: string | null },
): Promise<Error & { data?: any }> {
  try {
    const c = await connectMedia(baseUrl, options);
    c.close();
  } catch (e) {
    return e as Error & { data?: any };
  }
  throw new Error('the connection was accepted');
}

/** A DTLS fingerprint as a browser announces it (any well-formed one: no DTLS runs here). */
export function dtlsParameters() {
  const value = [...randomBytes(32)]
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join(':');
  return { role: 'client', fingerprints: [{ algorithm: 'sha-256', value }] };
}

const videoFeedback = [
  { type: 'goog-remb', parameter: '' },
  { type: 'transport-cc', parameter: '' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'nack', parameter: '' },
  { type: 'nack', parameter: 'pli' },
];

/** What mediasoup-client's produce() sends for a Chrome camera track with three simulcast layers. */
export function chromeVp8Simulcast(ssrcBase: number, mid = '1') {
  return {
    mid,
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: videoFeedback,
      },
      {
        mimeType: 'video/rtx',
        payloadType: 97,
        clockRate: 90000,
        parameters: { apt: 96 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
      {
        uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        id: 2,
        encrypt: false,
        parameters: {},
      },
      {
        uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        id: 3,
        encrypt: false,
        parameters: {},
      },
      { uri: 'urn:3gpp:video-orientation', id: 13, encrypt: false, parameters: {} },
      { uri: 'urn:ietf:params:rtp-hdrext:toffset', id: 14, encrypt: false, parameters: {} },
    ],
    encodings: [
      {
        ssrc: ssrcBase,
        rtx: { ssrc: ssrcBase + 1 },
        scaleResolutionDownBy: 4,
        maxBitrate: 150000,
        scalabilityMode: 'L1T3',
        dtx: false,
      },
      {
        ssrc: ssrcBase + 2,
        rtx: { ssrc: ssrcBase + 3 },
        scaleResolutionDownBy: 2,
        maxBitrate: 500000,
        scalabilityMode: 'L1T3',
        dtx: false,
      },
      {
        ssrc: ssrcBase + 4,
        rtx: { ssrc: ssrcBase + 5 },
        scaleResolutionDownBy: 1,
        maxBitrate: 1500000,
        scalabilityMode: 'L1T3',
        dtx: false,
      },
    ],
    rtcp: { cname: `cname-${ssrcBase}`, reducedSize: true },
  };
}

/** What mediasoup-client's produce() sends for a Chrome microphone track. */
export function chromeOpus(ssrc: number, mid = '0') {
  return {
    mid,
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
      {
        uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        id: 2,
        encrypt: false,
        parameters: {},
      },
      {
        uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        id: 3,
        encrypt: false,
        parameters: {},
      },
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1, encrypt: false, parameters: {} },
    ],
    encodings: [{ ssrc, dtx: false }],
    rtcp: { cname: `cname-${ssrc}`, reducedSize: true },
  };
}

/**
 * A second node of the same deployment: same database, Redis key prefix and
 * PUBLIC_URL as `first`; its own port, MEDIA_NODE_URL (its own address),
 * node id and mediasoup workers.
 */
export async function startSecondNode(
  first: TestApp,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const port = await freePort();
  const parsed = parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: first.config.PUBLIC_URL,
    MEDIA_NODE_URL: `http://127.0.0.1:${port}`,
    REDIS_KEY_PREFIX: first.config.REDIS_KEY_PREFIX,
    DATABASE_MIGRATIONS_RUN: 'false',
    MEDIA_WORKERS: '1',
    ...env,
  });
  const config = new AppConfig({
    ...parsed,
    DATABASE_URL: first.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
  });
  const app = await createApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    databaseUrl: first.databaseUrl,
    close: () => app.close(),
  };
}

/**
 * Two API nodes of one deployment sharing a database, Redis, key prefix and
 * PUBLIC_URL (as behind a load balancer), each with its own NODE_ID and node
 * URL, and a room owner.
 */
export async function startTwoNodes(
  env: Record<string, string> = {},
): Promise<{ a: TestApp; b: TestApp; owner: TestUser }> {
  const common = {
    MEDIASOUP_WORKER_BIN: WORKER_BIN!,
    MEDIA_PORT_BASE: '0',
    MEDIA_ROOM_EMPTY_GRACE_MS: '300',
    REDIS_KEY_PREFIX: `visio:test:${randomBytes(4).toString('hex')}:`,
    ...env,
  };
  const a = await startTestApp({ ...common, NODE_ID: 'node-a' });
  const b = await startSecondNode(a, { ...common, NODE_ID: 'node-b' });
  const owner = await newUser(a, { givenName: 'Olga', usualName: 'Owner' });
  return { a, b, owner };
}
