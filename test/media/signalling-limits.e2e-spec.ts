import { startTestApp, type TestApp } from '../support/app';
import { describeWithWorker, WORKER_BIN } from './media-test-kit';
import { connectMedia } from './signalling-test-kit';

/** What one socket may send: a request budget per second, and a size cap per message. */
describeWithWorker('media signalling limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MEDIASOUP_WORKER_BIN: WORKER_BIN!,
      MEDIA_SIGNALLING_MAX_PER_SECOND: '10',
    });
  });
  afterAll(() => t.close());

  it('answers rate_limited past the per-socket budget, and recovers', async () => {
    const c = await connectMedia(t.url, { origin: t.url });
    try {
      const acks = await Promise.all(Array.from({ length: 40 }, () => c.request('leave', {})));
      const codes = acks.map((a) => (a.ok ? 'ok' : a.error.code));
      // A burst of twice the rate passes (to the next check: no session here);
      // a token or two may flow back in while the 40 requests arrive.
      const passed = codes.filter((x) => x === 'unauthenticated').length;
      expect(passed).toBeGreaterThanOrEqual(20);
      expect(passed).toBeLessThanOrEqual(24);
      expect(codes.filter((x) => x === 'rate_limited')).toHaveLength(40 - passed);
      await new Promise((r) => setTimeout(r, 1100));
      const later = await c.request('leave', {});
      expect(later.ok ? 'ok' : later.error.code).toBe('unauthenticated');
    } finally {
      c.close();
    }
  });

  it('closes a socket that sends an oversized message', async () => {
    const c = await connectMedia(t.url, { origin: t.url });
    try {
      const closed = new Promise<string>((resolve) =>
        c.socket.once('disconnect', (reason) => resolve(reason)),
      );
      c.socket.emit('join', { slug: 'x'.repeat(100 * 1024) });
      expect(await closed).toBe('transport close');
    } finally {
      c.close();
    }
  });
});
