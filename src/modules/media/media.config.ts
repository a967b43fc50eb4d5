import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/;

/** One RTCIceServer as browsers take it (STUN, or TURN/TURNS with credentials). */
export const iceServerSchema = z
  .object({
    urls: z.union([
      z.string().regex(ICE_URL, 'a stun:, stuns:, turn: or turns: URL'),
      z.array(z.string().regex(ICE_URL, 'a stun:, stuns:, turn: or turns: URL')).min(1),
    ]),
    username: z.string().min(1).optional(),
    credential: z.string().min(1).optional(),
  })
  .strict();
export type IceServer = z.infer<typeof iceServerSchema>;

/** MEDIA_ICE_SERVERS: a JSON array of RTCIceServer, checked at boot. */
const iceServersVar = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of RTCIceServer objects' });
      return z.NEVER;
    }
  })
  .pipe(z.array(iceServerSchema).max(10));

/** Environment variables of the media module (merged into the service's config schema). */
export const mediaConfigSchema = z.object({
  /** Path of the mediasoup-worker binary; unset: mediasoup's own default (media unavailable if absent). */
  MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
  MEDIA_WORKERS: z.coerce.number().int().min(1).default(Math.max(1, availableParallelism())),
  MEDIA_WORKER_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  MEDIA_LISTEN_IP: z.string().min(1).default('0.0.0.0'),
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).default('127.0.0.1'),
  /**
   * Worker i's WebRtcServer listens on UDP and TCP port base+i. 0 picks free
   * ports in the RTC range; the default under NODE_ENV=test, where several
   * instances share one machine.
   */
  MEDIA_PORT_BASE: port.optional(),
  MEDIA_RTC_MIN_PORT: port.default(41000),
  MEDIA_RTC_MAX_PORT: port.default(49999),
  MEDIA_ROOM_EMPTY_GRACE_MS: z.coerce.number().int().min(0).default(30000),
  /** This node's identity in the room→node assignment; default hostname:PORT. */
  NODE_ID: z.string().min(1).optional(),
  /** URL peers are redirected to for rooms this node hosts; default PUBLIC_URL. */
  MEDIA_NODE_URL: z.string().url().optional(),
  MEDIA_ROOM_CLAIM_TTL_MS: z.coerce.number().int().min(500).default(15000),
  /** ICE servers handed to clients at join, e.g. `[{"urls":"turn:turn.example.org:3478?transport=udp"}]`. */
  MEDIA_ICE_SERVERS: iceServersVar.default([]),
  /**
   * coturn's `static-auth-secret` (TURN REST API): TURN entries of
   * MEDIA_ICE_SERVERS without credentials get short-lived ones minted per join.
   */
  MEDIA_TURN_SECRET: z.string().min(16).optional(),
  MEDIA_TURN_CREDENTIAL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 3600),
  /** How often a connected socket's session is re-checked (revoked or expired sessions are kicked). */
  MEDIA_SESSION_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** Signalling requests one socket may send per second (bursts of twice as many). */
  MEDIA_SIGNALLING_MAX_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(200),
});

export type MediaWorkerLogLevel = 'debug' | 'warn' | 'error' | 'none';

/** What the media classes need, resolved once from the app config (or built by hand in the bench). */
export interface MediaSettings {
  workerBin: string | undefined;
  workers: number;
  workerLogLevel: MediaWorkerLogLevel;
  listenIp: string;
  announcedAddress: string;
  portBase: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  roomEmptyGraceMs: number;
  nodeId: string;
  nodeUrl: string;
  claimTtlMs: number;
  redisKeyPrefix: string;
}

/** Injection token of the resolved {@link MediaSettings}. */
export const MEDIA_SETTINGS = Symbol('MEDIA_SETTINGS');

type MediaConfigInput = z.infer<typeof mediaConfigSchema> & {
  NODE_ENV?: string;
  PORT: number;
  PUBLIC_URL: string;
  REDIS_KEY_PREFIX: string;
};

export function resolveMediaSettings(c: MediaConfigInput): MediaSettings {
  const settings: MediaSettings = {
    workerBin: c.MEDIASOUP_WORKER_BIN,
    workers: c.MEDIA_WORKERS,
    workerLogLevel: c.MEDIA_WORKER_LOG_LEVEL,
    listenIp: c.MEDIA_LISTEN_IP,
    announcedAddress: c.MEDIA_ANNOUNCED_ADDRESS,
    portBase: c.MEDIA_PORT_BASE ?? (c.NODE_ENV === 'test' ? 0 : 40000),
    rtcMinPort: c.MEDIA_RTC_MIN_PORT,
    rtcMaxPort: c.MEDIA_RTC_MAX_PORT,
    roomEmptyGraceMs: c.MEDIA_ROOM_EMPTY_GRACE_MS,
    nodeId: c.NODE_ID ?? `${hostname()}:${c.PORT}`,
    nodeUrl: (c.MEDIA_NODE_URL ?? c.PUBLIC_URL).replace(/\/$/, ''),
    claimTtlMs: c.MEDIA_ROOM_CLAIM_TTL_MS,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
  };
  const problems = mediaSettingsProblems(settings);
  if (problems.length) throw new Error(`Invalid media configuration: ${problems.join('; ')}`);
  return settings;
}

/** Cross-field rules the per-variable schema cannot express. */
export function mediaSettingsProblems(s: MediaSettings): string[] {
  const problems: string[] = [];
  if (s.rtcMinPort === 0 || s.rtcMaxPort < s.rtcMinPort) {
    problems.push(
      `MEDIA_RTC_MIN_PORT..MEDIA_RTC_MAX_PORT (${s.rtcMinPort}..${s.rtcMaxPort}) is not a port range`,
    );
  }
  if (s.portBase !== 0) {
    const last = s.portBase + s.workers - 1;
    if (last > 65535)
      problems.push(`MEDIA_PORT_BASE ${s.portBase} + MEDIA_WORKERS ${s.workers} passes port 65535`);
    // The WebRtcServer ports must not be handed out again to PlainTransports.
    if (s.portBase <= s.rtcMaxPort && last >= s.rtcMinPort) {
      problems.push(
        `WebRtcServer ports ${s.portBase}..${last} overlap MEDIA_RTC_MIN_PORT..MEDIA_RTC_MAX_PORT (${s.rtcMinPort}..${s.rtcMaxPort})`,
      );
    }
  }
  return problems;
}

/** What the signalling gateway reads of the configuration. */
export interface SignallingSettings {
  iceServers: IceServer[];
  turnSecret: string | undefined;
  turnCredentialTtlSeconds: number;
  sessionCheckIntervalMs: number;
}

/** Injection token of the resolved {@link SignallingSettings}. */
export const SIGNALLING_SETTINGS = Symbol('SIGNALLING_SETTINGS');

export function resolveSignallingSettings(
  c: Pick<
    z.infer<typeof mediaConfigSchema>,
    | 'MEDIA_ICE_SERVERS'
    | 'MEDIA_TURN_SECRET'
    | 'MEDIA_TURN_CREDENTIAL_TTL_SECONDS'
    | 'MEDIA_SESSION_CHECK_INTERVAL_MS'
  >,
): SignallingSettings {
  return {
    iceServers: c.MEDIA_ICE_SERVERS,
    turnSecret: c.MEDIA_TURN_SECRET,
    turnCredentialTtlSeconds: c.MEDIA_TURN_CREDENTIAL_TTL_SECONDS,
    sessionCheckIntervalMs: c.MEDIA_SESSION_CHECK_INTERVAL_MS,
  };
}
