import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { eventually } from '../support/eventually';

/** The worker binary the media tests run (scripts/visio test sets it). */
export const WORKER_BIN = process.env.MEDIASOUP_WORKER_BIN;

/**
 * `describe`, or `describe.skip` with a loud reason when no worker binary is
 * configured (a bare `jest` run on a fresh machine); under CI, a failure.
 */
export function describeWithWorker(name: string, fn: () => void): void {
  if (WORKER_BIN) {
    describe(name, fn);
    return;
  }
  const why = 'MEDIASOUP_WORKER_BIN is unset; run through scripts/visio test';
  // In CI a missing prerequisite is a failure, never a silent skip.
  if (process.env.CI) describe(name, () => it('has a mediasoup worker', () => fail(why)));
  else describe.skip(`${name} [SKIPPED: ${why}]`, fn);
}

function fail(why: string): never {
  throw new Error(why);
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/**
 * A base port such that base..base+count-1 are free for both UDP and TCP, in
 * a range apart from the defaults (40000+) so that parallel test files and a
 * dev server on the same machine do not collide.
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 9000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = (await tcpFree(p)) && (await udpFree(p));
    if (ok) return base;
  }
  throw new Error('no free port block found');
}

/** Polls `probe` until it returns a truthy value, every 50 ms for 10 s by default. */
export function waitFor<T>(
  what: string,
  probe: () =>
    Promise<T | undefined | null | false | 0 | ''> | T | undefined | null | false | 0 | '',
  timeoutMs = 10_000,
): Promise<T> {
  return eventually(what, probe, timeoutMs, 50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
