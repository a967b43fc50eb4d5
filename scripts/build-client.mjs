// Bundles the reference web client (client/src/*.ts, with mediasoup-client)
// into client/dist, served by the service at /r/:slug.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const entries = existsSync('client/src')
  ? readdirSync('client/src')
      .filter((f) => /^[a-z-]+\.page\.ts$/.test(f))
      .map((f) => `client/src/${f}`)
  : [];
if (entries.length > 0) {
  await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outdir: 'client/dist',
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
  });
}
