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

// How people without a session get in: the guest form, and the real login.
describeWithBrowser('room page: guests and login', () => {
  let t: TestApp;
  let browser: Browser;
  let host: Participant;
  let slug: string;

  beforeAll(async () => {
    ({ t, browser, host, slug } = await startHostedRoom(
      { givenName: 'Hélène', usualName: 'Roux' },
      { name: 'Permanence publique', accessLevel: 'public' },
    ));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lets a visitor join a public room as a guest through the form', async () => {
    await waitForPhase(host, 'joined');
    const guest = await openRoom(browser, t, slug);
    await waitForPhase(guest, 'entry');
    expect(await guest.page.isVisible('#room')).toBe(false);
    const login = guest.page.getByRole('link', { name: "S'identifier avec ProConnect" });
    expect(await login.getAttribute('href')).toBe(
      `/api/v1/auth/login?returnTo=${encodeURIComponent(`/r/${slug}`)}`,
    );

    // An empty name is refused on the page, with the field marked invalid.
    await guest.page.getByRole('button', { name: 'Rejoindre en invité' }).click();
    expect(await guest.page.textContent('#guest-error')).toBe('Indiquez votre nom.');
    expect(await guest.page.getAttribute('#guest-name', 'aria-invalid')).toBe('true');

    await guest.page.getByLabel('Votre nom').fill('Dominique Invité');
    await guest.page.getByRole('button', { name: 'Rejoindre en invité' }).click();
    await waitForPhase(guest, 'joined');
    expect(await guest.page.textContent('#tiles li.self')).toContain('Dominique Invité (vous)');

    // The host sees and hears the guest; the guest has no moderation buttons.
    const guestPeerId = await guest.page.evaluate(() => (window as any).visio.peerId());
    await host.page.waitForSelector(`#tiles li[data-peer-id="${guestPeerId}"]`, {
      timeout: 10_000,
    });
    expect(await host.page.textContent(`#tiles li[data-peer-id="${guestPeerId}"]`)).toContain(
      'Dominique Invité',
    );
    await eventually(
      "the guest's media at the host",
      async () => {
        const s = await inboundRtp(host.page);
        return (
          s.some((x) => x.kind === 'video' && (x.framesDecoded ?? 0) > 0) &&
          s.some((x) => x.kind === 'audio' && (x.packetsReceived ?? 0) > 0)
        );
      },
      20_000,
    );
    expect(await guest.page.$$('.mute-peer, .remove-peer')).toHaveLength(0);
    expect(
      await host.page.$$(`#tiles li[data-peer-id="${guestPeerId}"] .remove-peer`),
    ).toHaveLength(1);
    await guest.close();
  });

  it('logs an agent in through the ProConnect-like provider and brings them back into the room', async () => {
    const visitor = await openRoom(browser, t, slug);
    await waitForPhase(visitor, 'entry');
    await visitor.page.getByRole('link', { name: "S'identifier avec ProConnect" }).click();
    // The local provider's page: pick a test agent.
    await visitor.page.getByRole('button', { name: 'Camille Dupont' }).click();
    await visitor.page.waitForURL(`${t.url}/r/${slug}`, { timeout: 15_000 });
    await waitForPhase(visitor, 'joined');
    expect(await visitor.page.textContent('#tiles li.self')).toContain('Camille Dupont (vous)');
    await visitor.close();
  });
});
