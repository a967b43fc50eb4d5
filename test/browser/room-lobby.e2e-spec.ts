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

/** Whether `p` decodes video and receives audio from someone else. */
async function receivesMedia(p: Participant): Promise<boolean> {
  const s = await inboundRtp(p.page);
  return (
    s.some((x) => x.kind === 'video' && (x.framesDecoded ?? 0) > 0) &&
    s.some((x) => x.kind === 'audio' && (x.packetsReceived ?? 0) > 0)
  );
}

const lobbyEvents = async (p: Participant, name: string) =>
  ((await p.page.evaluate(() => (window as any).visio.events())) as Array<{ name: string }>).filter(
    (e) => e.name === name,
  );

// A restricted room: the moderator admits and refuses from the room page itself.
describeWithBrowser('room page: the lobby for moderators', () => {
  let t: TestApp;
  let browser: Browser;
  let owner: TestUser;
  let host: Participant;
  let slug: string;

  beforeAll(async () => {
    ({ t, browser, owner, host, slug } = await startHostedRoom(
      { givenName: 'Odile', usualName: 'Garnier' },
      { name: 'Comité restreint', accessLevel: 'restricted' },
    ));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the moderator who waits (pushed, not polled); "Admettre" lets them in and media flows both ways', async () => {
    await waitForPhase(host, 'joined');
    const panel = host.page.locator('#lobby-admin');
    await panel.waitFor({ state: 'visible' });
    expect(await panel.textContent()).toContain("Personne n'attend.");

    const stranger = await newUser(t, { givenName: 'Carole', usualName: 'Nguyen' });
    const carol = await openRoom(browser, t, slug, { cookie: stranger.cookie });
    await waitForPhase(carol, 'lobby');

    // Well before the 10 s poll: the lobbyRequested event brought it.
    const waitingList = host.page.getByRole('list', { name: 'Personnes en attente' });
    const item = waitingList.getByRole('listitem').filter({ hasText: 'Carole Nguyen' });
    await item.waitFor({ timeout: 5_000 });
    expect(await lobbyEvents(host, 'lobbyRequested')).toHaveLength(1);
    expect(await host.page.textContent('#lobby-admin-title')).toBe("Salle d'attente (1)");
    expect(await host.page.textContent('#events')).toContain(
      "Carole Nguyen attend dans la salle d'attente.",
    );
    expect(await host.page.getAttribute('#events', 'aria-live')).toBe('polite');
    // Carol, waiting, sees no moderator panel.
    expect(await carol.page.isVisible('#lobby-admin')).toBe(false);

    await host.page.getByRole('button', { name: 'Admettre Carole Nguyen' }).click();
    await waitForPhase(carol, 'joined', 15_000);
    await item.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await host.page.textContent('#lobby-admin-title')).toBe("Salle d'attente");
    expect(await host.page.textContent('#events')).toContain(
      'Carole Nguyen a été admis dans la réunion.',
    );

    await eventually('media at the host from Carol', () => receivesMedia(host), 20_000);
    await eventually('media at Carol from the host', () => receivesMedia(carol), 20_000);
    // Admitted, not promoted: no waiting list for her.
    expect(await carol.page.isVisible('#lobby-admin')).toBe(false);
    await carol.close();
  });

  it('"Refuser" ends the wait: the requester\'s page says entry was refused', async () => {
    const stranger = await newUser(t, { givenName: 'Damien', usualName: 'Leroy' });
    const damien = await openRoom(browser, t, slug, { cookie: stranger.cookie });
    await waitForPhase(damien, 'lobby');

    await host.page.getByRole('button', { name: 'Refuser Damien Leroy' }).click({ timeout: 5_000 });
    await waitForPhase(damien, 'ended', 15_000);
    expect(await damien.page.getAttribute('main#app', 'data-end-reason')).toBe('lobby_denied');
    expect(await damien.page.textContent('#ended-title')).toBe('Entrée refusée');
    expect(await host.page.$$('#lobby-admin-list li')).toHaveLength(0);
    expect(await host.page.textContent('#events')).toContain(
      "L'entrée de Damien Leroy a été refusée.",
    );
    // The server agrees: nobody waits, and Damien is refused.
    const lobby = await as(t, owner.cookie).get(`/api/v1/rooms/${slug}/lobby`).expect(200);
    expect(lobby.body.items).toEqual([]);
    await damien.close();
  });

  it('drops an entry another moderator decided (lobbyResolved), and lists who waited before the moderator joined', async () => {
    const early = await newUser(t, { givenName: 'Elise', usualName: 'Avant' });
    const ask = await as(t, early.cookie).post(`/api/v1/rooms/${slug}/request-entry`).expect(200);
    // A second tab of the owner joins after the request: it loads the list.
    const second = await openRoom(browser, t, slug, { cookie: owner.cookie });
    await waitForPhase(second, 'joined');
    await second.page
      .locator('#lobby-admin-list li', { hasText: 'Elise Avant' })
      .waitFor({ timeout: 5_000 });

    // Decided elsewhere (here: the REST API): both tabs drop it.
    await as(t, owner.cookie)
      .post(`/api/v1/rooms/${slug}/lobby/${ask.body.requestId}/deny`)
      .expect(200);
    for (const p of [host, second])
      await p.page
        .locator('#lobby-admin-list li', { hasText: 'Elise Avant' })
        .waitFor({ state: 'detached', timeout: 5_000 });
    expect(await lobbyEvents(second, 'lobbyResolved')).toHaveLength(1);
    await second.close();
  });
});
