import type { Browser } from 'playwright-core';
import { MediaWorkerPool } from '../../src/modules/media/media-worker.pool';
import { startTestApp, type TestApp } from '../support/app';
import {
  describeWithBrowser,
  ensureClientBundle,
  eventually,
  inboundRtp,
  launchChromium,
  openRoom,
  waitForPhase,
  type Participant,
} from '../support/browser';
import { newUser } from '../support/identity';
import { newRoom } from '../support/rooms';

/** Video frames `p` has decoded from others so far (probator left out). */
async function framesDecoded(p: Participant): Promise<number> {
  return (await inboundRtp(p.page))
    .filter((s) => s.kind === 'video')
    .reduce((n, s) => n + (s.framesDecoded ?? 0), 0);
}

// The media worker hosting the room dies: the server says `reconnectRequired`
// and the pages re-join on their own, media flowing again.
describeWithBrowser('room page: recovery after the media worker dies', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureClientBundle();
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('re-joins both participants and receives media again', async () => {
    const a = await newUser(t, { givenName: 'Rémi', usualName: 'Faure' });
    const b = await newUser(t, { givenName: 'Sofia', usualName: 'Blanc' });
    const slug = (await newRoom(t, a, { accessLevel: 'trusted' })).slug;
    const remi = await openRoom(browser, t, slug, { cookie: a.cookie });
    const sofia = await openRoom(browser, t, slug, { cookie: b.cookie });
    await Promise.all([waitForPhase(remi, 'joined'), waitForPhase(sofia, 'joined')]);
    await eventually('media before', async () => (await framesDecoded(remi)) > 0, 20_000);
    const peerBefore = await remi.page.evaluate(() => (window as any).visio.peerId());

    const pool = t.app.get(MediaWorkerPool);
    const [slot] = pool.liveSlots();
    process.kill(slot.worker.pid, 'SIGKILL');

    // Both pages hear it and re-join (new peer ids, the other's tile back, frames flowing).
    for (const p of [remi, sofia]) {
      await eventually(
        'reconnectRequired received',
        async () =>
          (await p.page.evaluate(() => (window as any).visio.events())).some(
            (e: any) => e.name === 'reconnectRequired' && e.payload.reason === 'worker_died',
          ),
        15_000,
      );
    }
    await eventually(
      'a new peer id',
      async () => {
        const id = await remi.page.evaluate(() => (window as any).visio.peerId());
        return id && id !== peerBefore;
      },
      20_000,
    );
    await Promise.all([waitForPhase(remi, 'joined'), waitForPhase(sofia, 'joined')]);
    await eventually(
      "the other's tile back",
      () => remi.page.$$eval('#tiles li', (els) => els.length === 2),
      15_000,
    );
    const after = await eventually(
      'frames decoded after the re-join',
      async () => {
        const n = await framesDecoded(remi);
        return n > 0 && n;
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await framesDecoded(remi)).toBeGreaterThan(after);
  });
});
