import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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
  type RtpStat,
} from '../support/browser';
import { newUser } from '../support/identity';
import { newRoom } from '../support/rooms';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The remote media a page receives: decoded video frames and audio packets (probator left out). */
async function received(p: Participant): Promise<{ video?: RtpStat; audio?: RtpStat }> {
  const stats = await inboundRtp(p.page);
  return {
    video: stats.find((s) => s.kind === 'video'),
    audio: stats.find((s) => s.kind === 'audio'),
  };
}

// Two agents in one room, through the real page, the /media gateway and the
// offline-built mediasoup worker (DTLS, SRTP, ICE over loopback).
describeWithBrowser('room page: a two-person call', () => {
  let t: TestApp;
  let browser: Browser;
  let alice: Participant;
  let bruno: Participant;
  let slug: string;

  beforeAll(async () => {
    ensureClientBundle();
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    const owner = await newUser(t, { givenName: 'Alice', usualName: 'Martin' });
    const other = await newUser(t, { givenName: 'Bruno', usualName: 'Petit' });
    slug = (await newRoom(t, owner, { name: 'Point hebdo', accessLevel: 'trusted' })).slug;
    alice = await openRoom(browser, t, slug, { cookie: owner.cookie });
    bruno = await openRoom(browser, t, slug, { cookie: other.cookie });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("joins both, and each receives the other's video and audio", async () => {
    await Promise.all([waitForPhase(alice, 'joined'), waitForPhase(bruno, 'joined')]);
    expect(await alice.page.textContent('#room-name')).toBe('Point hebdo');

    // Each sees a tile for themselves and one for the other, by name.
    for (const [p, other] of [
      [alice, 'Bruno Petit'],
      [bruno, 'Alice Martin'],
    ] as const) {
      await eventually(`${other}'s tile`, () =>
        p.page.$eval(
          '#tiles',
          (el, name) => el.querySelectorAll('li').length === 2 && el.textContent!.includes(name),
          other,
        ),
      );
    }

    // Real RTP from the real RTCPeerConnections: frames decoded and audio packets, both growing.
    for (const p of [alice, bruno]) {
      const first = await eventually(
        'first decoded frames and audio packets',
        async () => {
          const r = await received(p);
          return (r.video?.framesDecoded ?? 0) > 0 && (r.audio?.packetsReceived ?? 0) > 0 && r;
        },
        20_000,
      );
      await sleep(1500);
      const later = await received(p);
      expect(later.video!.framesDecoded!).toBeGreaterThan(first.video!.framesDecoded! + 5);
      expect(later.audio!.packetsReceived!).toBeGreaterThan(first.audio!.packetsReceived! + 20);
    }

    // And the page shows it: the other's <video> has real dimensions.
    const width = await eventually('remote video playing', () =>
      alice.page.$eval('#tiles li:not(.self) video', (v) => (v as HTMLVideoElement).videoWidth),
    );
    expect(width).toBeGreaterThan(0);

    const dir = process.env.VISIO_SCREENSHOT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      await alice.page.screenshot({ path: join(dir, 'room-two-people.png') });
    }
  });

  it("shares a screen: the other gets a separate tile with the screen's video", async () => {
    const screenButton = bruno.page.getByRole('button', { name: "Partager l'écran" });
    await screenButton.click();
    await bruno.page.waitForSelector('#screen[aria-pressed="true"]', { timeout: 10_000 });
    const brunoPeerId = await bruno.page.evaluate(() => (window as any).visio.peerId());
    const tile = `#tiles li[data-key="screen:${brunoPeerId}"]`;
    await alice.page.waitForSelector(tile, { timeout: 10_000 });
    expect(await alice.page.textContent(tile)).toContain('Écran de Bruno Petit');
    await eventually('screen frames shown', () =>
      alice.page.$eval(`${tile} video`, (v) => (v as HTMLVideoElement).videoWidth > 0),
    );
    // Stopping closes the producer: the tile goes away.
    await screenButton.click();
    await bruno.page.waitForSelector('#screen[aria-pressed="false"]');
    await alice.page.waitForSelector(tile, { state: 'detached', timeout: 10_000 });
  });

  it('tells the one who stays when the other leaves: the tile goes away', async () => {
    const brunoPeerId = await bruno.page.evaluate(() => (window as any).visio.peerId());
    expect(await alice.page.$(`#tiles li[data-peer-id="${brunoPeerId}"]`)).not.toBeNull();

    await bruno.page.getByRole('button', { name: 'Quitter' }).click();
    await waitForPhase(bruno, 'ended');
    expect(await bruno.page.textContent('#ended-title')).toBe('Vous avez quitté la réunion');

    await alice.page.waitForSelector(`#tiles li[data-peer-id="${brunoPeerId}"]`, {
      state: 'detached',
      timeout: 10_000,
    });
    expect(await alice.page.$$('#tiles li')).toHaveLength(1);
    expect(await alice.page.textContent('#events')).toContain('Bruno Petit a quitté la réunion.');
    const events = await alice.page.evaluate(() => (window as any).visio.events());
    expect(events).toContainEqual(
      expect.objectContaining({
        name: 'peerLeft',
        payload: expect.objectContaining({ peerId: brunoPeerId }),
      }),
    );
    // Nothing of Bruno's is still consumed.
    expect(await alice.page.evaluate(() => (window as any).visio.consumers())).toEqual([]);
  });
});
