import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app';
import {
  describeWithBrowser,
  startHostedRoom,
  eventually,
  inboundRtp,
  openRoom,
  waitForPhase,
  type Participant,
} from '../support/browser';
import { as, newUser, type TestUser } from '../support/identity';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const peerIdOf = (p: Participant): Promise<string> =>
  p.page.evaluate(() => (window as any).visio.peerId());

/** Audio packets `p` has received from others so far (probator left out). */
async function audioPackets(p: Participant): Promise<number> {
  return (await inboundRtp(p.page))
    .filter((s) => s.kind === 'audio')
    .reduce((n, s) => n + (s.packetsReceived ?? 0), 0);
}

// A restricted room: the lobby, a moderator's admission, then moderator mute.
describeWithBrowser('room page: lobby and moderation', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: TestUser;
  let moderator: Participant;
  let carol: Participant;
  let slug: string;

  beforeAll(async () => {
    ({
      t,
      browser,
      owner,
      host: moderator,
      slug,
    } = await startHostedRoom(
      { givenName: 'Odile', usualName: 'Garnier' },
      { name: 'Comité restreint', accessLevel: 'restricted' },
    ));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('keeps a non-member in the lobby until a moderator admits them through the API', async () => {
    await waitForPhase(moderator, 'joined');
    expect(await moderator.page.evaluate(() => (window as any).visio.canModerate())).toBe(true);

    const stranger = await newUser(t, { givenName: 'Carole', usualName: 'Nguyen' });
    carol = await openRoom(browser, t, slug, { cookie: stranger.cookie });
    await waitForPhase(carol, 'lobby');
    expect(await carol.page.isVisible('#lobby')).toBe(true);
    expect(await carol.page.isVisible('#room')).toBe(false);

    // She asked to enter (the page did), and she is in nobody's room.
    const waiting = await eventually('a waiting request', async () => {
      const res = await as(t, owner.cookie).get(`/api/v1/rooms/${slug}/lobby`);
      return res.status === 200 && res.body.items.length === 1 && res.body.items[0];
    });
    expect(waiting).toMatchObject({ displayName: 'Carole Nguyen', kind: 'user' });
    await sleep(500);
    expect(await carol.page.getAttribute('main#app', 'data-phase')).toBe('lobby');
    expect(await moderator.page.evaluate(() => (window as any).visio.peers())).toEqual([]);

    await as(t, owner.cookie)
      .post(`/api/v1/rooms/${slug}/lobby/${waiting.requestId}/admit`)
      .expect(200);

    await waitForPhase(carol, 'joined', 15_000);
    const carolPeerId = await peerIdOf(carol);
    await moderator.page.waitForSelector(`#tiles li[data-peer-id="${carolPeerId}"]`, {
      timeout: 10_000,
    });
    expect(await moderator.page.textContent(`#tiles li[data-peer-id="${carolPeerId}"]`)).toContain(
      'Carole Nguyen',
    );
  });

  it('lets a moderator mute a participant: everyone sees the producer paused, and her page says so', async () => {
    const carolPeerId = await peerIdOf(carol);
    const tile = `#tiles li[data-peer-id="${carolPeerId}"]`;
    // Her audio reaches the moderator before the mute.
    await eventually('audio from Carol', async () => (await audioPackets(moderator)) > 20, 20_000);
    await moderator.page.waitForSelector(`${tile}[data-mic="on"]`);

    // Only a moderator gets the buttons; Carol (a member by admission) has none.
    expect(await carol.page.$$('.mute-peer')).toHaveLength(0);
    await moderator.page.getByRole('button', { name: 'Couper le micro de Carole Nguyen' }).click();

    // Her own page: the mic button pressed, the tile and the live region say a moderator did it.
    await carol.page.waitForSelector('#tiles li.self[data-mic="moderator"]', { timeout: 10_000 });
    expect(await carol.page.getAttribute('#mic', 'aria-pressed')).toBe('true');
    expect(await carol.page.textContent('#tiles li.self .mic-state')).toBe(
      'Micro coupé par un modérateur',
    );
    expect(await carol.page.textContent('#events')).toContain('Un modérateur a coupé votre micro.');
    const mic = (await carol.page.evaluate(() => (window as any).visio.producers())).find(
      (p: any) => p.source === 'mic',
    );
    expect(mic.paused).toBe(true);

    // The others: a producerPaused event marked byModerator, and the tile shows it.
    await moderator.page.waitForSelector(`${tile}[data-mic="moderator"]`, { timeout: 10_000 });
    const events = await moderator.page.evaluate(() => (window as any).visio.events());
    expect(events).toContainEqual(
      expect.objectContaining({
        name: 'producerPaused',
        payload: expect.objectContaining({
          peerId: carolPeerId,
          producerId: mic.id,
          byModerator: true,
        }),
      }),
    );
    const carolEvents = await carol.page.evaluate(() => (window as any).visio.events());
    expect(carolEvents).toContainEqual(
      expect.objectContaining({
        name: 'producerPaused',
        payload: expect.objectContaining({ producerId: mic.id, byModerator: true }),
      }),
    );

    // The SFU stopped forwarding her audio (a few packets in flight are allowed for).
    await sleep(1000);
    const before = await audioPackets(moderator);
    await sleep(1500);
    expect((await audioPackets(moderator)) - before).toBeLessThan(5);

    // She may speak again: unmuting resumes the producer for everyone.
    await carol.page.getByRole('button', { name: 'Couper le micro', exact: true }).click();
    await carol.page.waitForSelector('#tiles li.self[data-mic="on"]');
    expect(await carol.page.getAttribute('#mic', 'aria-pressed')).toBe('false');
    await moderator.page.waitForSelector(`${tile}[data-mic="on"]`, { timeout: 10_000 });
    const resumedAt = await audioPackets(moderator);
    await eventually(
      'audio flowing again',
      async () => (await audioPackets(moderator)) > resumedAt + 20,
    );
  });

  it('lets a moderator remove a participant: her page says so and her tile goes away', async () => {
    const carolPeerId = await peerIdOf(carol);
    // The page asks for confirmation (accepted by the test's dialog handler).
    await moderator.page
      .getByRole('button', { name: 'Retirer Carole Nguyen de la réunion' })
      .click();
    await waitForPhase(carol, 'ended', 10_000);
    expect(await carol.page.getAttribute('main#app', 'data-end-reason')).toBe(
      'removed_by_moderator',
    );
    expect(await carol.page.textContent('#ended-title')).toBe('Vous avez été retiré de la réunion');
    await moderator.page.waitForSelector(`#tiles li[data-peer-id="${carolPeerId}"]`, {
      state: 'detached',
      timeout: 10_000,
    });
    // Her page does not come back on its own (no automatic re-join after a removal).
    await sleep(1500);
    expect(await carol.page.getAttribute('main#app', 'data-phase')).toBe('ended');
    expect(await moderator.page.evaluate(() => (window as any).visio.peers())).toEqual([]);
  });
});
