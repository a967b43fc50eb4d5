import type { AppConfig } from '../../config/app-config';

/** Origins allowed to open sockets with our cookies: PUBLIC_URL's origin and CORS_ORIGINS. */
export function allowedOrigins(
  config: Pick<AppConfig, 'PUBLIC_URL' | 'CORS_ORIGINS'>,
): Set<string> {
  return new Set([new URL(config.PUBLIC_URL).origin, ...config.CORS_ORIGINS]);
}

/**
 * Whether a handshake may proceed, by its Origin header. Browsers always send
 * Origin on cross-origin requests and on WebSocket upgrades, so a foreign
 * page is refused; a missing Origin (a same-origin long-polling GET, a
 * non-browser client) carries no cross-site risk and is accepted.
 */
export function handshakeOriginAllowed(
  origin: string | string[] | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  if (origin === undefined) return true;
  if (Array.isArray(origin)) return origin.length === 1 && allowed.has(origin[0]);
  return allowed.has(origin);
}

/**
 * The cookies of a `Cookie` header (RFC 6265 §5.4 shape: `a=1; b=2`). The
 * first occurrence of a name wins, as in browsers' ordering by path length.
 */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}
