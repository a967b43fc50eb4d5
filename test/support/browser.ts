import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from './app';
import { newUser, type TestUser } from './identity';
import { newRoom } from './rooms';

/** Debian's Chromium (scripts/install-system-deps.sh installs it); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, quiet on a closed network (no background requests), fake camera
 * and microphone granted without a prompt, WebRTC allowed over loopback.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * `describe` (each test retried up to twice), or `describe.skip` with a loud
 * reason when Chromium or the mediasoup worker is missing (scripts/visio test
 * provides both); under CI, a failure.
 */
export function describeWithBrowser(name: string, fn: () => void): void {
  const missing = [
    existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} (apt-get install chromium)`,
    process.env.MEDIASOUP_WORKER_BIN ? null : 'MEDIASOUP_WORKER_BIN (run through scripts/visio)',
  ].filter(Boolean);
  if (missing.length === 0) {
    describe(name, () => {
      // Real browsers on a small shared machine: bandwidth estimation and CPU
      // adaptation make timings vary. A test failing three times is a failure;
      // earlier failures are logged. Retried at once, on the same pages: the
      // tests of a file share their participants, in order.
      jest.retryTimes(2, { logErrorsBeforeRetry: true, retryImmediately: true });
      fn();
    });
  } else if (process.env.CI) {
    // In CI a missing prerequisite is a failure, never a silent skip.
    describe(name, () =>
      it('has Chromium and a mediasoup worker', () => {
        throw new Error(`missing ${missing.join(', ')}`);
      }),
    );
  } else describe.skip(`${name} [SKIPPED: missing ${missing.join(', ')}]`, fn);
}

const ROOT = join(__dirname, '..', '..');

/**
 * Builds the web client bundle (scripts/build-client.mjs) when it is missing
 * or older than its sources, so the tests always run the current page.
 */
export function ensureClientBundle(): void {
  const bundle = join(ROOT, 'client', 'dist', 'room.page.js');
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const src = join(ROOT, 'client', 'src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (built >= newest) return;
  execFileSync(process.execPath, ['scripts/build-client.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/** One Chromium per test file; each participant gets its own context (own cookies). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  // launch() gives every browser a fresh temporary profile (user data dir).
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

export interface Participant {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, for failure messages. */
  errors: string[];
  close(): Promise<void>;
}

export interface OpenRoomOptions {
  /** `name=value` of a session cookie (from newUser/newRoomGuest); none: an anonymous visitor. */
  cookie?: string;
  /** getUserMedia video constraints (the page's default is 1280×720). */
  video?: { width: number; height: number; frameRate?: number };
  viewport?: { width: number; height: number };
}

/** A participant's browser tab on the room page `/r/:slug`. */
export async function openRoom(
  browser: Browser,
  t: TestApp,
  slug: string,
  options: OpenRoomOptions = {},
): Promise<Participant> {
  const context = await browser.newContext({
    baseURL: t.url,
    viewport: options.viewport ?? { width: 1024, height: 640 },
  });
  if (options.cookie) {
    const eq = options.cookie.indexOf('=');
    await context.addCookies([
      {
        name: options.cookie.slice(0, eq),
        value: options.cookie.slice(eq + 1),
        url: t.url,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
  }
  // A small camera keeps several encoders affordable on a small machine.
  const video = options.video ?? { width: 640, height: 360, frameRate: 15 };
  await context.addInitScript((v) => {
    (window as any).visioOptions = { video: v };
  }, video);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(`/r/${slug}`);
  return { context, page, errors, close: () => context.close() };
}

/** A running app, a Chromium, a room's owner and the owner's tab already in the room. */
export interface HostedRoom {
  t: TestApp;
  browser: Browser;
  owner: TestUser;
  host: Participant;
  slug: string;
}

/** Starts the app and Chromium together, creates the owner and the room, opens the owner's tab. */
export async function startHostedRoom(
  owner: { givenName: string; usualName: string },
  room: { name: string; accessLevel: 'public' | 'trusted' | 'restricted' },
): Promise<HostedRoom> {
  ensureClientBundle();
  const [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
  const user = await newUser(t, owner);
  const slug = (await newRoom(t, user, room)).slug;
  const host = await openRoom(browser, t, slug, { cookie: user.cookie });
  return { t, browser, owner: user, host, slug };
}

/** Waits until the page reaches `phase` (`data-phase` on <main>), with its errors on failure. */
export async function waitForPhase(
  p: Participant,
  phase: string,
  timeoutMs = 20_000,
): Promise<void> {
  try {
    await p.page.waitForSelector(`main#app[data-phase="${phase}"]`, {
      timeout: timeoutMs,
      state: 'attached',
    });
  } catch (e) {
    const actual = await p.page.getAttribute('main#app', 'data-phase').catch(() => '?');
    const text = await p.page.textContent('#ended-text').catch(() => '');
    const reason = await p.page.getAttribute('main#app', 'data-end-reason').catch(() => null);
    throw new Error(
      `phase "${phase}" not reached (is "${actual}"${reason ? `, ${reason}` : ''}${text ? `: ${text}` : ''}); page errors: ${JSON.stringify(p.errors)}; ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

/** mediasoup's bandwidth probator sends on this ssrc: never real media. */
export const PROBATOR_SSRC = 1234;

export interface RtpStat {
  type: string;
  kind: 'audio' | 'video';
  ssrc: number;
  packetsReceived?: number;
  framesDecoded?: number;
  bytesReceived?: number;
  packetsSent?: number;
  framesEncoded?: number;
  rid?: string;
  frameWidth?: number;
  frameHeight?: number;
  qualityLimitationReason?: string;
  active?: boolean;
}

/** inbound-rtp entries of the page's receive transport (probator left out). */
export async function inboundRtp(page: Page): Promise<RtpStat[]> {
  const { recv } = await page.evaluate(() => (window as any).visio.stats());
  return (recv as RtpStat[]).filter((s) => s.type === 'inbound-rtp' && s.ssrc !== PROBATOR_SSRC);
}

/** outbound-rtp entries of the page's send transport. */
export async function outboundRtp(page: Page): Promise<RtpStat[]> {
  const { send } = await page.evaluate(() => (window as any).visio.stats());
  return (send as RtpStat[]).filter((s) => s.type === 'outbound-rtp');
}

export { eventually } from './eventually';
