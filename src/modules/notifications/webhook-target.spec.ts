import { createServer, type Server } from 'node:http';
import {
  assertAllowedTarget,
  ForbiddenTargetError,
  isForbiddenAddress,
  postWebhook,
} from './webhook-target';

describe('webhook targets', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])('refuses %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each(['192.0.2.1', '8.8.8.8', '2001:db8::1', '2a01:cb00::1'])('allows %s', (ip) => {
    // 192.0.2.0/24 and 2001:db8::/32 are documentation ranges, fine as "public" examples here.
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it('refuses a host name that resolves to loopback at registration', async () => {
    await expect(
      assertAllowedTarget(new URL('http://localhost:9/hook'), false),
    ).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(
      assertAllowedTarget(new URL('http://localhost:9/hook'), true),
    ).resolves.toBeUndefined();
  });

  describe('delivery', () => {
    let server: Server;
    let port: number;
    let hits = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits++;
        req.resume();
        res.statusCode = 204;
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('does not connect to a private address, by name or literal', async () => {
      const before = hits;
      for (const host of ['localhost', '127.0.0.1']) {
        await expect(
          postWebhook(`http://${host}:${port}/hook`, {}, '{}', {
            timeoutMs: 2000,
            allowPrivate: false,
          }),
        ).rejects.toBeInstanceOf(ForbiddenTargetError);
      }
      expect(hits).toBe(before);
    });

    it('delivers when private targets are allowed', async () => {
      const status = await postWebhook(
        `http://localhost:${port}/hook`,
        { 'content-type': 'application/json' },
        '{}',
        {
          timeoutMs: 2000,
          allowPrivate: true,
        },
      );
      expect(status).toBe(204);
    });
  });
});
