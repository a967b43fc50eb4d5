import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import {
  describeWithBrowser,
  ensureClientBundle,
  launchChromium,
  waitForPhase,
} from '../support/browser';
import { as, newGuest, newUser, type TestUser } from '../support/identity';
import { newRoom } from '../support/rooms';

/** The landing page's form, as a browser on the site posts it. */
const postForm = (
  t: TestApp,
  cookie: string | null,
  form: Record<string, string>,
  origin = t.url,
) => {
  const req = request(t.url)
    .post('/r')
    .type('form')
    .set('Accept', 'text/html,application/xhtml+xml')
    .set('Origin', origin);
  if (cookie) void req.set('Cookie', cookie);
  return req.send(form);
};

const roomsOf = async (t: TestApp, u: TestUser) =>
  (await as(t, u.cookie).get('/api/v1/rooms').expect(200)).body.items as Array<{ slug: string }>;

// Creating a room from the landing page: POST /r (form-encoded) and the page's form.
describe('room creation from the landing page (POST /r)', () => {
  let t: TestApp;
  let agent: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    agent = await newUser(t, { givenName: 'Agathe', usualName: 'Martin' });
  });
  afterAll(() => t?.close());

  it('creates a room the agent owns and sends them to it (303 /r/<slug>)', async () => {
    const res = await postForm(t, agent.cookie, {
      name: '  Point hebdo  ',
      accessLevel: 'restricted',
    });
    expect(res.status).toBe(303);
    const slug = /^\/r\/([a-z0-9-]+)$/.exec(res.headers.location)?.[1];
    expect(slug).toBeDefined();
    const room = await as(t, agent.cookie).get(`/api/v1/rooms/${slug}`).expect(200);
    expect(room.body).toMatchObject({
      name: 'Point hebdo',
      accessLevel: 'restricted',
      role: 'owner',
    });

    // No access level: the form's default, trusted.
    const plain = await postForm(t, agent.cookie, { name: 'Sans niveau' }).expect(303);
    const plainSlug = plain.headers.location.slice(3);
    expect(
      (await as(t, agent.cookie).get(`/api/v1/rooms/${plainSlug}`).expect(200)).body.accessLevel,
    ).toBe('trusted');
  });

  it("shows the form and the agent's rooms on the landing page, with no inline script", async () => {
    const other = await newUser(t);
    const mine = await newRoom(t, other, { name: 'Réunion <de> Léa' });
    const res = await request(t.url).get('/').set('Cookie', other.cookie).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<form method="post" action="/r">');
    expect(res.text).toContain('<option value="trusted" selected>');
    expect(res.text).toContain(`<a href="/r/${mine.slug}">Réunion &lt;de&gt; Léa</a>`);
    expect(res.text).not.toMatch(/<script/);
    // Someone else's rooms are not listed; nobody logged in gets the login button.
    expect(res.text).not.toContain('Point hebdo');
    const anonymous = await request(t.url).get('/').expect(200);
    expect(anonymous.text).toContain("S'identifier avec ProConnect");
    expect(anonymous.text).not.toContain('Nouvelle réunion');
  });

  it.each([
    ['an empty name', { name: '   ' }, 'Indiquez un nom.'],
    [
      'a name over 200 characters',
      { name: 'x'.repeat(201) },
      'Le nom compte au plus 200 caractères.',
    ],
    [
      'an unknown access level',
      { name: 'Réunion', accessLevel: 'secret' },
      'Choisissez qui peut entrer.',
    ],
  ])(
    'shows the form again with a message for %s (400, HTML), creating nothing',
    async (_, form, message) => {
      const before = (await roomsOf(t, agent)).length;
      const res = await postForm(t, agent.cookie, form);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain(
        `<p class="error" id="new-room-error" role="alert">${message}</p>`,
      );
      expect(res.text).toContain('aria-invalid="true"');
      expect((await roomsOf(t, agent)).length).toBe(before);
    },
  );

  it('answers an API client (no HTML accepted) with the house 400 validation_failed', async () => {
    const res = await request(t.url)
      .post('/r')
      .type('form')
      .set('Cookie', agent.cookie)
      .set('Origin', t.url)
      .send({ name: '' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ path: 'name' })],
    });
    expect(res.body.correlationId).toBeDefined();
  });

  it('refuses nobody (401), a guest (403) and a cross-site form (403), creating nothing', async () => {
    const before = (await roomsOf(t, agent)).length;
    const anonymous = await postForm(t, null, { name: 'Anonyme' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');

    const guest = await newGuest(t, 'Invité Gaston');
    const asGuest = await postForm(t, guest.cookie, { name: 'Invité' });
    expect(asGuest.status).toBe(403);
    expect(asGuest.body.code).toBe('guest_not_allowed');

    const crossSite = await postForm(t, agent.cookie, { name: 'Piège' }, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.code).toBe('csrf_origin_mismatch');
    // Neither Origin nor Referer: refused as well.
    const bare = await request(t.url)
      .post('/r')
      .type('form')
      .set('Cookie', agent.cookie)
      .send({ name: 'Sans origine' });
    expect(bare.status).toBe(403);
    expect((await roomsOf(t, agent)).length).toBe(before);
  });
});

describeWithBrowser('room creation: the landing page form in a browser', () => {
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

  it('an agent fills "Nouvelle réunion", lands in the new room as its moderator, and finds it listed back home', async () => {
    const agent = await newUser(t, { givenName: 'Bruno', usualName: 'Petit' });
    const context = await browser.newContext({ baseURL: t.url });
    const eq = agent.cookie.indexOf('=');
    await context.addCookies([
      {
        name: agent.cookie.slice(0, eq),
        value: agent.cookie.slice(eq + 1),
        url: t.url,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await page.getByLabel('Nom de la réunion').fill('Comité de pilotage');
    await page.getByLabel('Qui peut entrer').selectOption('restricted');
    await page.getByRole('button', { name: 'Créer la réunion' }).click();
    await page.waitForURL(/\/r\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/, { timeout: 10_000 });
    const slug = new URL(page.url()).pathname.slice(3);

    await waitForPhase({ context, page, errors, close: () => context.close() }, 'joined');
    expect(await page.textContent('#room-name')).toBe('Comité de pilotage');
    expect(await page.evaluate(() => (window as any).visio.canModerate())).toBe(true);
    expect(await page.isVisible('#lobby-admin')).toBe(true);

    await page.goto('/');
    const link = page.getByRole('link', { name: 'Comité de pilotage' });
    expect(await link.getAttribute('href')).toBe(`/r/${slug}`);
    await context.close();
  });
});
