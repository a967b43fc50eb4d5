import { parseConfig } from '../../config/config.schema';
import { mediaConfigSchema, resolveMediaSettings, resolveSignallingSettings } from './media.config';

const base = { PORT: 3000, PUBLIC_URL: 'https://visio.example/', REDIS_KEY_PREFIX: 'visio:' };

describe('media settings', () => {
  it('defaults to one WebRtcServer port per worker from 40000, outside the PlainTransport range', () => {
    const s = resolveMediaSettings({ ...mediaConfigSchema.parse({ MEDIA_WORKERS: '4' }), ...base });
    expect(s).toMatchObject({
      workers: 4,
      listenIp: '0.0.0.0',
      announcedAddress: '127.0.0.1',
      portBase: 40000,
      rtcMinPort: 41000,
      rtcMaxPort: 49999,
      roomEmptyGraceMs: 30000,
      nodeUrl: 'https://visio.example',
    });
    expect(s.nodeId).toMatch(/:3000$/);
  });

  it('picks free WebRtcServer ports by default under NODE_ENV=test (parallel test instances)', () => {
    const env = mediaConfigSchema.parse({});
    expect(resolveMediaSettings({ ...env, ...base, NODE_ENV: 'test' }).portBase).toBe(0);
    expect(
      resolveMediaSettings({ ...env, ...base, NODE_ENV: 'test', MEDIA_PORT_BASE: 30000 }).portBase,
    ).toBe(30000);
  });

  it('refuses WebRtcServer ports that overlap the PlainTransport range', () => {
    const env = mediaConfigSchema.parse({ MEDIA_WORKERS: '8', MEDIA_PORT_BASE: '40995' });
    expect(() => resolveMediaSettings({ ...env, ...base })).toThrow(/overlap/);
  });

  it('refuses a reversed PlainTransport range and a worker count below 1', () => {
    const env = mediaConfigSchema.parse({
      MEDIA_RTC_MIN_PORT: '50000',
      MEDIA_RTC_MAX_PORT: '45000',
    });
    expect(() => resolveMediaSettings({ ...env, ...base })).toThrow(/not a port range/);
    expect(mediaConfigSchema.safeParse({ MEDIA_WORKERS: '0' }).success).toBe(false);
  });
});

describe('signalling settings', () => {
  it('defaults to no ICE servers, no TURN secret and a one-minute session re-check', () => {
    const s = resolveSignallingSettings(mediaConfigSchema.parse({}));
    expect(s).toEqual({
      iceServers: [],
      turnSecret: undefined,
      turnCredentialTtlSeconds: 43200,
      sessionCheckIntervalMs: 60000,
    });
  });

  it('reads MEDIA_ICE_SERVERS as a JSON array of RTCIceServer', () => {
    const env = mediaConfigSchema.parse({
      MEDIA_ICE_SERVERS:
        '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:turn.example.org:3478?transport=udp","turns:turn.example.org:5349"],"username":"u","credential":"p"}]',
    });
    expect(resolveSignallingSettings(env).iceServers).toHaveLength(2);
  });

  it('refuses at boot an ICE server list that is not JSON, not an array, or has a bad entry', () => {
    expect(() => parseConfig({})).not.toThrow();
    for (const bad of [
      'stun:stun.example.org',
      '{"urls":"stun:x"}',
      '[{"urls":"https://turn.example.org"}]',
      '[{"url":"stun:x"}]',
      '[{"urls":[]}]',
    ]) {
      expect(() => parseConfig({ MEDIA_ICE_SERVERS: bad })).toThrow(/MEDIA_ICE_SERVERS/);
    }
    expect(mediaConfigSchema.safeParse({ MEDIA_TURN_SECRET: 'short' }).success).toBe(false);
  });
});
