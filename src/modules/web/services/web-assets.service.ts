import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** A file of the web client, ready to send. */
export interface WebAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.html': 'text/html; charset=utf-8',
};

/** Asset names: flat files of the two folders only (no path, so no traversal). */
export const ASSET_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * The files of the reference web client: the bundles esbuild writes to
 * `client/dist` (scripts/build-client.mjs) and the static files of
 * `client/public`. Files are read at first request and kept while unchanged.
 */
@Injectable()
export class WebAssetsService {
  private readonly logger = new Logger('Web');
  private readonly root = findClientRoot();
  private readonly cache = new Map<string, { mtimeMs: number; size: number; asset: WebAsset }>();

  constructor() {
    if (!existsSync(join(this.root, 'dist')))
      this.logger.warn(
        `no client bundle in ${join(this.root, 'dist')}: run "node scripts/build-client.mjs"`,
      );
  }

  /** The asset named `name`, from client/dist first, then client/public; null when absent. */
  async get(name: string): Promise<WebAsset | null> {
    const type = CONTENT_TYPES[extensionOf(name)];
    if (!ASSET_NAME.test(name) || name.includes('..') || !type) return null;
    for (const dir of ['dist', 'public']) {
      const path = join(this.root, dir, name);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) continue;
      const cached = this.cache.get(path);
      if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size)
        return cached.asset;
      const body = await readFile(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      const asset = { body, contentType: type, etag };
      this.cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, asset });
      return asset;
    }
    return null;
  }

  /** A short fingerprint of an asset, to bust caches in the page's URLs. */
  async version(name: string): Promise<string> {
    return (await this.get(name))?.etag.slice(1, 11) ?? '0';
  }
}

function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i);
}

/**
 * The `client` folder: beside the working directory (the image's /app, a
 * checkout), else the nearest one above this file (dist/src/… or src/…).
 */
function findClientRoot(): string {
  const fromCwd = resolve(process.cwd(), 'client');
  if (existsSync(join(fromCwd, 'public'))) return fromCwd;
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'client', 'public'))) return join(dir, 'client');
  }
  return fromCwd;
}
