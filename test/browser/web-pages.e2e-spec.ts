import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { ensureClientBundle } from '../support/browser';

// The page module over plain HTTP (no browser): what /r/:slug and /assets/* serve.
describe('web client pages', () => {
  let t: TestApp;

  beforeAll(async () => {
    ensureClientBundle();
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('serves the room page outside /api, with no inline script and a strict CSP', async () => {
    const res = await request(t.url).get('/r/abc-defg-hij').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('data-slug="abc-defg-hij"');
    expect(res.text).toMatch(
      /<script type="module" src="\/assets\/room\.page\.js\?v=[\w-]+"><\/script>/,
    );
    expect(res.text).toContain('href="/api/v1/auth/login?returnTo=%2Fr%2Fabc-defg-hij"');
    // Every script is external: the CSP needs no 'unsafe-inline' for scripts.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // Chosen slugs (not only generated ones) have a page too.
    await request(t.url).get('/r/team-weekly-2').expect(200);
  });

  it.each(['Bad_Slug', 'a--b', 'ab', '-abc', `${'a'.repeat(51)}`])(
    'answers 404 with an HTML page for /r/%s, which cannot be a room',
    async (slug) => {
      const res = await request(t.url).get(`/r/${slug}`).expect(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Salle introuvable');
    },
  );

  it('serves the bundle and the style sheet, revalidated by ETag', async () => {
    const js = await request(t.url).get('/assets/room.page.js').expect(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('no-cache');
    const etag = js.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    await request(t.url).get('/assets/room.page.js').set('If-None-Match', etag).expect(304);
    const css = await request(t.url).get('/assets/room.css').expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.text).toContain('.tiles');
  });

  it.each([
    '/assets/nope.js',
    '/assets/room.page.ts',
    '/assets/..%2Fpackage.json',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/src/room.page.ts',
    '/assets/',
  ])('answers 404 asset_not_found for %s', async (path) => {
    const res = await request(t.url).get(path).expect(404);
    expect(res.body.code).toBe('asset_not_found');
  });

  it('refuses a malformed escape in an asset path with a 400 in the error shape', async () => {
    const res = await request(t.url).get('/assets/%E0%A4%A').expect(400);
    expect(res.body).toMatchObject({ code: 'malformed_url', correlationId: expect.any(String) });
  });

  it('keeps the room page and assets out of the API prefix and the OpenAPI document', async () => {
    await request(t.url).get('/api/v1/r/abc-defg-hij').expect(404);
    const doc = await request(t.url).get('/api/docs-json').expect(200);
    expect(
      Object.keys(doc.body.paths).filter((p) => p.startsWith('/r/') || p.startsWith('/assets')),
    ).toEqual([]);
  });
});
