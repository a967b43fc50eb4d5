import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import {
  describeWithBrowser,
  ensureClientBundle,
  eventually,
  inboundRtp,
  launchChromium,
  openRoom,
  outboundRtp,
  waitForPhase,
  type Participant,
} from '../support/browser';
import { newUser } from '../support/identity';
import { newRoom } from '../support/rooms';

interface Layers {
  spatialLayer: number;
  temporalLayer?: number;
}

// Simulcast end to end: Chrome publishes three layers, the SFU forwards the
// one the subscriber prefers, and the subscriber decodes that resolution.
describeWithBrowser('room page: simulcast', () => {
  let t: TestApp;
  let browser: Browser;
  let publisher: Participant;
  let viewer: Participant;
  let consumerId: string;

  const current = async (): Promise<Layers | null> =>
    (await viewer.page.evaluate((id) => (window as any).visio.consumerStats(id), consumerId))
      .currentLayers;
  /** Width of the frames the viewer decodes from the publisher's camera. */
  const decodedWidth = async (): Promise<number | undefined> =>
    (await inboundRtp(viewer.page)).find(
      (s) => s.kind === 'video' && s.frameWidth !== undefined && (s.framesDecoded ?? 0) > 0,
    )?.frameWidth;
  const prefer = (spatialLayer: number) =>
    viewer.page.evaluate(([id, layer]) => (window as any).visio.setPreferredLayers(id, layer), [
      consumerId,
      spatialLayer,
    ] as const);

  beforeAll(async () => {
    ensureClientBundle();
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    const a = await newUser(t, { givenName: 'Paul', usualName: 'Lefèvre' });
    const b = await newUser(t, { givenName: 'Vera', usualName: 'Moreau' });
    const slug = (await newRoom(t, a, { accessLevel: 'trusted' })).slug;
    // 1280×720: Chrome drops simulcast layers below ~960×540, whatever the encodings say.
    publisher = await openRoom(browser, t, slug, {
      cookie: a.cookie,
      // 15 fps: three encodings at 30 fps can starve a 2-core machine, and
      // Chrome's CPU adaptation then scales the layers down.
      video: { width: 1280, height: 720, frameRate: 15 },
    });
    viewer = await openRoom(browser, t, slug, {
      cookie: b.cookie,
      video: { width: 320, height: 180, frameRate: 10 },
    });
    await Promise.all([waitForPhase(publisher, 'joined'), waitForPhase(viewer, 'joined')]);
    const publisherPeerId = await publisher.page.evaluate(() => (window as any).visio.peerId());
    consumerId = await eventually('a consumer of the publisher camera', async () => {
      const consumers = await viewer.page.evaluate(() => (window as any).visio.consumers());
      return consumers.find((c: any) => c.peerId === publisherPeerId && c.source === 'camera')?.id;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('publishes three layers (320, 640 and 1280 wide), all of them sending', async () => {
    const camera = (await publisher.page.evaluate(() => (window as any).visio.producers())).find(
      (p: any) => p.source === 'camera',
    );
    expect(camera.encodings).toBe(3);
    // The top layer starts once Chrome's bandwidth estimate allows it (a few seconds).
    const sending = async () => {
      const first = await outboundRtp(publisher.page);
      await new Promise((r) => setTimeout(r, 500));
      const later = await outboundRtp(publisher.page);
      return later
        .filter((s) => s.kind === 'video')
        .filter((s) => {
          const before = first.find((f) => f.ssrc === s.ssrc) as any;
          return (s as any).bytesSent > (before?.bytesSent ?? 0) && s.frameWidth;
        })
        .map((s) => s.frameWidth)
        .sort((x, y) => x! - y!);
    };
    expect(
      await eventually(
        'three layers sending',
        async () => {
          const widths = await sending();
          return widths.length === 3 && widths;
        },
        20_000,
      ),
    ).toEqual([320, 640, 1280]);
  });

  it('follows the preferred layer down to 0 and back up to 2', async () => {
    // Unconstrained, the SFU climbs to the top layer.
    await eventually(
      'the top layer forwarded',
      async () => (await current())?.spatialLayer === 2,
      20_000,
    );
    await eventually('1280-wide frames decoded', async () => (await decodedWidth()) === 1280);

    await prefer(0);
    const down = Date.now();
    await eventually('spatial layer 0', async () => (await current())?.spatialLayer === 0, 10_000);
    await eventually('320-wide frames decoded', async () => (await decodedWidth()) === 320, 10_000);
    expect(Date.now() - down).toBeLessThan(10_000);
    const events = await viewer.page.evaluate(() => (window as any).visio.events());
    expect(events).toContainEqual(
      expect.objectContaining({
        name: 'consumerLayersChanged',
        payload: expect.objectContaining({ consumerId, spatialLayer: 0 }),
      }),
    );
    // It stays there (no drift back up while layer 0 is preferred).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await current())?.spatialLayer).toBe(0);

    await prefer(2);
    await eventually(
      'spatial layer 2 again',
      async () => (await current())?.spatialLayer === 2,
      10_000,
    );
    await eventually('1280-wide frames again', async () => (await decodedWidth()) === 1280, 10_000);
  });
});
