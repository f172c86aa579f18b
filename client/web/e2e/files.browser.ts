/**
 * Uploaded files never run in Parley's origin, proven in real headless Chromium: HTML and SVG
 * (with scripts in them) opened from a Parley page, navigated to or framed, are downloads; a
 * file that is rendered inline lives in a sandboxed, opaque origin without scripts.
 *
 *   npx bun test ./client/web/e2e/files.browser.ts      (needs /usr/bin/chromium)
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.ts';
import { form, uploader, type Uploader } from '../../../server/test/files/support.ts';
import { launchUser, type UserBrowser } from './harness.ts';

setDefaultTimeout(90_000);

/** Scripts that would leave a mark in Parley's origin (its storage, its window) if they ever ran there. */
const HTML = `<!doctype html><html><body><h1>hello</h1><script>
  try { localStorage.setItem('pwned', 'html'); } catch {}
  try { top.pwned = 'html'; } catch {}
</script></body></html>`;
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><script>
  try { localStorage.setItem('pwned', 'svg'); } catch {}
  try { top.pwned = 'svg'; } catch {}
</script><rect width="20" height="20" fill="red"/></svg>`;

let server: TestServer;
let ada: Uploader;
let browser: UserBrowser;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_UPLOADS: 'off' });
  ada = await uploader(server.url, 'ada');
  browser = await launchUser('ada', server.url);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const absolute = (url: string) => new URL(url, server.url).href;
/** What a script in Parley's origin would have left behind. */
const marks = () => browser.page.evaluate(() => ({ storage: localStorage.getItem('pwned'), window: (window as any).pwned ?? null }));

test('HTML and SVG navigated to from Parley are downloaded, not rendered', async () => {
  for (const [body, name, type] of [
    [HTML, 'page.html', 'text/html'],
    [SVG, 'logo.svg', 'image/svg+xml'],
  ] as const) {
    const file = await ada.api.files.upload.mutate(form(body, name, type));
    const page = await browser.context.newPage();
    const download = page.waitForEvent('download');
    await page.goto(absolute(file.url!)).catch(() => {}); // "Download is starting" aborts the navigation
    expect((await download).suggestedFilename()).toBe(name);
    expect(page.url()).not.toContain('/files/');
    await page.close();
  }
  expect(await marks()).toEqual({ storage: null, window: null });
});

test('HTML and SVG framed or embedded by a Parley page are not run', async () => {
  const html = await ada.api.files.upload.mutate(form(HTML, 'page.html', 'text/html'));
  const svg = await ada.api.files.upload.mutate(form(SVG, 'logo.svg', 'image/svg+xml'));
  const page = browser.page;
  // Each request ends one way or another: finished (the SVG image), or failed / cut short
  // (the frame's navigation, turned into a download that an unattended frame may not start).
  const settled = [html.id, svg.id].map(
    (id) =>
      new Promise<void>((resolve) => {
        const done = (r: { url(): string }) => {
          if (!r.url().includes(id)) return;
          page.off('requestfinished', done);
          page.off('requestfailed', done);
          resolve();
        };
        page.on('requestfinished', done);
        page.on('requestfailed', done);
      }),
  );
  await page.evaluate(
    ({ html, svg }) =>
      new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.src = html;
        document.body.append(frame);
        const img = document.createElement('img');
        img.src = svg;
        img.onload = img.onerror = () => resolve();
        document.body.append(img);
        const object = document.createElement('object');
        object.data = svg;
        document.body.append(object);
      }),
    { html: html.url!, svg: svg.url! },
  );
  // Both requests are over; had the browser made a document of either, it would be in a frame now.
  await Promise.all(settled);
  const frames = page.frames().filter((f) => f.url().includes('/files/'));
  for (const f of frames) expect(await f.evaluate(() => document.scripts.length).catch(() => 0)).toBe(0);
  expect(await marks()).toEqual({ storage: null, window: null });
});

test('a file shown inline lives in an opaque, sandboxed origin: HTML bytes declared as a PNG are plain text there', async () => {
  const file = await ada.api.files.upload.mutate(form(HTML, 'sneaky.png', 'image/png'));
  expect(file.content_type).toBe('text/plain');
  const page = await browser.context.newPage();
  const res = await page.goto(absolute(file.url!));
  expect(res!.headers()['content-security-policy']).toBe('sandbox');
  // The markup is shown as text, not parsed: no script element exists, and the origin is opaque.
  expect(
    await page.evaluate(() => ({
      origin: self.origin,
      scripts: document.scripts.length,
      text: document.body.innerText.includes('<script>'),
    })),
  ).toEqual({
    origin: 'null',
    scripts: 0,
    text: true,
  });
  await page.close();
  expect(await marks()).toEqual({ storage: null, window: null });
});
