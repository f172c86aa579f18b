import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'bun:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium; CI installs it with `apt-get install -y chromium`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const OUTPUT = join(import.meta.dir, 'output');
/** Screenshots of the main views, committed and shown in the README. */
export const SCREENSHOTS = join(import.meta.dir, 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Real host candidates instead of .local names: there is no mDNS responder in CI.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** One user's browser: its own Chromium profile (user-data-dir), one page, and what went wrong in it. */
export interface UserBrowser {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, printed when a test fails. */
  problems: string[];
  screenshot(step: string): Promise<string>;
  /** Saves a screenshot of the page under `e2e/screenshots/<name>.png` (for the README). */
  keep(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Launches a fresh Chromium profile for `name` and opens `url`. */
export async function launchUser(
  name: string,
  url: string,
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<UserBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const profile = mkdtempSync(join(tmpdir(), `parley-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    permissions: ['camera', 'microphone'],
    // Drawers and indicators settle at once: screenshots show the end state, not a transition.
    reducedMotion: 'reduce',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  mkdirSync(OUTPUT, { recursive: true });
  return {
    name,
    context,
    page,
    problems,
    async screenshot(step) {
      const path = join(OUTPUT, `${step}-${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async keep(shot) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`) });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The steps of a browser suite: `step(name, body)` is a test that, when it fails, keeps a
 * screenshot of every browser for the post-mortem; after the suite, the page errors of the
 * browsers are printed if a step failed. `browsers` is read when needed (they start in beforeAll).
 */
export function browserSteps(browsers: () => Array<UserBrowser | undefined>, defaultTimeout: number) {
  let lastFailure = '';
  afterAll(() => {
    if (lastFailure) for (const u of browsers()) if (u?.problems.length) console.error(`${u.name}:`, u.problems.join('\n'));
  });
  return function step(name: string, body: () => Promise<void>, timeout = defaultTimeout) {
    test(
      name,
      async () => {
        try {
          await body();
        } catch (err) {
          lastFailure = name;
          const tag = `failed-${name.replaceAll(/\W+/g, '-').slice(0, 60)}`;
          await Promise.allSettled(browsers().map((u) => u?.screenshot(tag)));
          throw err;
        }
      },
      timeout,
    );
  };
}
