import { allowedOrigins, handshakeOriginAllowed, parseCookieHeader } from './handshake';

describe('websocket handshake helpers', () => {
  it('parses a Cookie header: trims, unquotes, decodes, keeps the first of a repeated name', () => {
    const c = parseCookieHeader(' a=1; visio_session=abc%2Fdef ; q="quoted"; a=2; broken; =x; e=');
    expect(c.get('a')).toBe('1');
    expect(c.get('visio_session')).toBe('abc/def');
    expect(c.get('q')).toBe('quoted');
    expect(c.get('e')).toBe('');
    expect(c.has('broken')).toBe(false);
    expect(parseCookieHeader(undefined).size).toBe(0);
    // A malformed escape is kept as sent rather than throwing.
    expect(parseCookieHeader('x=%E0%A4%A').get('x')).toBe('%E0%A4%A');
  });

  it('allows PUBLIC_URL’s origin, CORS_ORIGINS and a missing Origin; refuses anything else', () => {
    const allowed = allowedOrigins({
      PUBLIC_URL: 'https://visio.example/some/path',
      CORS_ORIGINS: ['https://front.example'],
    });
    expect(handshakeOriginAllowed('https://visio.example', allowed)).toBe(true);
    expect(handshakeOriginAllowed('https://front.example', allowed)).toBe(true);
    expect(handshakeOriginAllowed(undefined, allowed)).toBe(true);
    expect(handshakeOriginAllowed('https://visio.example.evil.org', allowed)).toBe(false);
    expect(handshakeOriginAllowed('http://visio.example', allowed)).toBe(false);
    expect(handshakeOriginAllowed('null', allowed)).toBe(false);
    expect(handshakeOriginAllowed(['https://visio.example', 'https://evil.org'], allowed)).toBe(
      false,
    );
  });
});
