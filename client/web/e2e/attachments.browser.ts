/**
 * File attachments end to end in real headless Chromium, through the real server: ada picks files
 * with the 📎 button, pastes one and drops one on the conversation, watches them upload (progress,
 * on a throttled network), and sends; bob, in another browser, sees the images rendered and the
 * other file as a download chip. An upload the server refuses shows why and sends nothing.
 *
 *   npx bun test ./client/web/e2e/attachments.browser.ts      (needs /usr/bin/chromium)
 */
import { afterAll, beforeAll, expect } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import type { File as StoredFile, Session } from '../../index.ts';
import { register } from '../../../server/test/helpers/clients.ts';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.ts';
import { humanSize } from '../lib/size.ts';
import * as ui from './actions.ts';
import { browserSteps, launchUser, type UserBrowser } from './harness.ts';

const run = Date.now().toString(36);
const names = { ada: `ada_${run}`, bob: `bob_${run}` };
const STEP = 60_000;
/** The server's upload limit here: small, so that "too large" is cheap to provoke. */
const MAX_UPLOAD = 2 * 1024 * 1024;

let server: TestServer;
let ada: UserBrowser;
let bob: UserBrowser;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD), RATE_LIMIT_UPLOADS: 'off' });
  [ada, bob] = await Promise.all([launchUser('ada', server.url), launchUser('bob', server.url)]);
}, 2 * STEP);

afterAll(async () => {
  await Promise.allSettled([ada?.close(), bob?.close()]);
  await server?.stop();
}, STEP);

const step = browserSteps(() => [ada, bob], STEP);

/** Slows the page's uploads to `bytesPerSecond` (null: full speed again), as a poor mobile link would. */
async function throttle(cdp: CDPSession, bytesPerSecond: number | null) {
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
}

/** The message whose attachments include `name`. */
const messageWith = (page: Page, name: string) => page.getByTestId('message').filter({ has: page.locator(`[data-name="${name}"]`) });

/** Waits until every <img> of the attachment previews in `scope` has loaded, and returns their natural sizes. */
async function loadedImages(page: Page, scope: string) {
  await page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(`${sel} [data-testid="attachment-image"] img`)];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, scope);
  return page.$$eval(`${scope} [data-testid="attachment-image"] img`, (imgs) =>
    (imgs as HTMLImageElement[]).map((i) => ({ alt: i.alt, natural: [i.naturalWidth, i.naturalHeight], box: [i.width, i.height] })),
  );
}

let photo: ui.FileSpec, pasted: ui.FileSpec, dropped: ui.FileSpec;
const notes: ui.FileSpec = {
  name: 'meeting notes.txt',
  mimeType: 'text/plain',
  buffer: Buffer.from('Agenda\n- files\n- previews\n'.repeat(40)),
};

step('ada and bob share a channel', async () => {
  await Promise.all([ui.register(ada.page, names.ada), ui.register(bob.page, names.bob)]);
  await ui.createGroup(ada.page, 'Files team');
  await ui.createChannel(ada.page, 'general', 'TEXT');
  const code = await ui.createInvite(ada.page);
  await ui.joinGroup(bob.page, code, 'Files team');
  await ui.openChannel(bob.page, 'general');
  await ui.waitPresent(ada.page, names.bob);
  photo = await ui.canvasPng(ada.page, 'sunset.png', 1200, 800, 20);
  pasted = await ui.canvasPng(ada.page, 'pasted.png', 320, 200, 200);
  dropped = await ui.canvasPng(ada.page, 'dropped.png', 240, 240, 120);
});

step('files picked with 📎 upload at once, with progress; Send waits for them', async () => {
  const cdp = await ada.context.newCDPSession(ada.page);
  await cdp.send('Network.enable');
  await throttle(cdp, 128 * 1024);
  try {
    await ui.attachFiles(ada.page, [photo, notes]);
    const chip = ui.uploadChip(ada.page, 'sunset.png');
    await chip.and(ada.page.locator('[data-status="uploading"]')).waitFor();
    // Part of the way, not before and not after: the bar follows the bytes.
    await ada.page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('[data-name="sunset.png"] progress');
      return !!bar && bar.value > 0 && bar.value < bar.max;
    });
    expect(Number(await chip.getByTestId('upload-progress').getAttribute('max'))).toBe(photo.buffer.length);
    await expect(ada.page.getByTestId('composer-send').textContent()).resolves.toBe('Uploading…');
    expect(await ada.page.getByTestId('composer-send').isDisabled()).toBe(true);
    await ada.page.getByTestId('composer-input').fill('Photos from the offsite');
    await ada.keep('attachments-composer');
    await ada.page.emulateMedia({ colorScheme: 'dark' });
    await ada.page.setViewportSize({ width: 390, height: 844 });
    await ada.keep('attachments-composer-phone-dark');
    await ada.page.emulateMedia({ colorScheme: 'light' });
    await ada.page.setViewportSize({ width: 1280, height: 800 });
  } finally {
    await throttle(cdp, null);
  }
  await ui.uploadChip(ada.page, 'sunset.png').and(ada.page.locator('[data-status="done"]')).waitFor();
  await ui.uploadChip(ada.page, 'meeting notes.txt').and(ada.page.locator('[data-status="done"]')).waitFor();
});

step('a pasted image and a dropped one join them; the message goes with all four', async () => {
  await ui.pasteFiles(ada.page, [pasted]);
  await ui.dropFiles(ada.page, [dropped]);
  for (const f of [pasted, dropped]) await ui.uploadChip(ada.page, f.name).and(ada.page.locator('[data-status="done"]')).waitFor();
  expect(await ada.page.getByTestId('upload-chip').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual([
    'sunset.png',
    'meeting notes.txt',
    'pasted.png',
    'dropped.png',
  ]);
  await ada.page.getByTestId('composer-input').press('Enter');
  await ada.page.getByTestId('pending-uploads').waitFor({ state: 'detached' });
  await ui.waitMessage(ada.page, 'Photos from the offsite');
  expect(await ada.page.getByTestId('composer-input').inputValue()).toBe('');
});

step('bob sees the images rendered, at their proportions, and the text file as a download chip', async () => {
  await ui.waitMessage(bob.page, 'Photos from the offsite');
  const msg = messageWith(bob.page, 'sunset.png');
  const id = await msg.getAttribute('data-id');
  const images = await loadedImages(bob.page, `[data-id="${id}"]`);
  expect(images.map((i) => [i.alt, i.natural])).toEqual([
    ['sunset.png', [1200, 800]],
    ['pasted.png', [320, 200]],
    ['dropped.png', [240, 240]],
  ]);
  // Previews fit a 360×280 box at the image's own aspect ratio; small ones keep their size.
  expect(images.map((i) => i.box)).toEqual([
    [360, 240],
    [320, 200],
    [240, 240],
  ]);
  const chip = msg.getByTestId('attachment-file');
  expect(await chip.getAttribute('data-name')).toBe('meeting notes.txt');
  expect(await chip.textContent()).toContain(humanSize(notes.buffer.length));
  const [download] = await Promise.all([bob.page.waitForEvent('download'), chip.click()]);
  expect(download.suggestedFilename()).toBe('meeting notes.txt');
  expect(await Bun.file((await download.path())!).text()).toBe(notes.buffer.toString());
  await bob.screenshot('attach-received');
});

step('clicking an image opens it full size in a new tab', async () => {
  const link = messageWith(bob.page, 'sunset.png').locator('[data-testid="attachment-image"][data-name="sunset.png"]');
  const [tab] = await Promise.all([bob.context.waitForEvent('page'), link.click()]);
  await tab.waitForLoadState();
  expect(new URL(tab.url()).pathname).toMatch(/^\/files\/[0-9a-f-]+\/sunset\.png$/);
  expect(await tab.evaluate(() => [document.images[0]?.naturalWidth, document.images[0]?.naturalHeight])).toEqual([1200, 800]);
  await tab.close();
});

step('after a reload (history, not the live event) bob still sees them', async () => {
  await bob.page.reload();
  await ui.waitMessage(bob.page, 'Photos from the offsite');
  const id = await messageWith(bob.page, 'sunset.png').getAttribute('data-id');
  expect((await loadedImages(bob.page, `[data-id="${id}"]`)).length).toBe(3);
});

step('an upload the server refuses says why on its chip, and nothing is sent until it is gone', async () => {
  const huge: ui.FileSpec = { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_UPLOAD + 1024 * 1024, 7) };
  await ui.attachFiles(ada.page, [huge]);
  const chip = ui.uploadChip(ada.page, 'huge.bin');
  await chip.and(ada.page.locator('[data-status="failed"]')).waitFor();
  expect(await chip.getByTestId('upload-error').textContent()).toBe('Files may be at most 2 MiB');
  expect(await chip.getByTestId('upload-retry').count()).toBe(0); // trying the same file again cannot help
  // The chips took room from the message list; the reader, who was at the bottom, still is.
  await ada.page.waitForFunction(() => {
    const list = document.querySelector('[data-testid="message-list"]')!;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 2;
  });
  // With a failed file in it, the message stays in the box: Enter does nothing, Send is off.
  await ada.page.getByTestId('composer-input').fill('held back');
  await ada.page.getByTestId('composer-input').press('Enter');
  expect(await ada.page.getByTestId('composer-send').isDisabled()).toBe(true);
  expect(await ada.page.getByTestId('composer-input').inputValue()).toBe('held back');
  expect(await ada.page.getByTestId('pending-message').count()).toBe(0);
  await ada.screenshot('attach-refused');
  // Dropping the file lets the text go, alone: bob gets it without any attachment.
  await chip.getByTestId('upload-remove').click();
  await ada.page.getByTestId('pending-uploads').waitFor({ state: 'detached' });
  await ada.page.getByTestId('composer-input').press('Enter');
  await ui.waitMessage(bob.page, 'held back');
  const last = bob.page.getByTestId('message').last();
  expect(await last.getByTestId('message-content').textContent()).toBe('held back');
  expect(await last.getByTestId('attachments').count()).toBe(0);
});

step('a message of files alone, in a DM, reaches the partner live', async () => {
  await bob.page.getByTestId('dm-start-input').fill(names.ada);
  await bob.page.getByTestId('dm-start-submit').click();
  await bob.page
    .getByTestId('conversation-title')
    .filter({ hasText: `@${names.ada}` })
    .waitFor();
  await ui.send(bob.page, 'here is the report');
  const thread = ada.page.locator(`[data-testid="dm-item"][data-username="${names.bob}"]`);
  await thread.click();
  await ui.waitMessage(ada.page, 'here is the report');
  const report: ui.FileSpec = {
    name: 'report.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\n%%EOF\n'),
  };
  const chart = await ui.canvasPng(ada.page, 'chart.png', 640, 360, 280);
  await ui.attachFiles(ada.page, [chart, report]);
  for (const f of [chart, report]) await ui.uploadChip(ada.page, f.name).and(ada.page.locator('[data-status="done"]')).waitFor();
  // No text at all: the files are the message.
  expect(await ada.page.getByTestId('composer-input').inputValue()).toBe('');
  await ada.page.getByTestId('composer-send').click();
  await ada.page.getByTestId('pending-uploads').waitFor({ state: 'detached' });

  const msg = messageWith(bob.page, 'chart.png');
  await msg.waitFor();
  expect(await msg.getByTestId('message-content').count()).toBe(0);
  const id = await msg.getAttribute('data-id');
  expect((await loadedImages(bob.page, `[data-id="${id}"]`)).map((i) => [i.alt, i.natural, i.box])).toEqual([
    ['chart.png', [640, 360], [360, 203]],
  ]);
  const chip = msg.getByTestId('attachment-file');
  expect([await chip.getAttribute('data-name'), await chip.getAttribute('data-size')]).toEqual([
    'report.pdf',
    humanSize(report.buffer.length),
  ]);
  // The sidebar's preview of the conversation says what came.
  await bob.page.locator(`[data-testid="dm-item"][data-username="${names.ada}"] .preview`).filter({ hasText: '2 attachments' }).waitFor();
  await bob.screenshot('attach-dm');
});

step('screenshots: a conversation with an image and a file chip, light and dark, desktop and phone', async () => {
  const last = bob.page.getByTestId('message').last();
  await loadedImages(bob.page, `[data-id="${await last.getAttribute('data-id')}"]`);
  await bob.keep('attachments-conversation');
  await bob.page.emulateMedia({ colorScheme: 'dark' });
  await bob.keep('attachments-conversation-dark');
  await bob.page.setViewportSize({ width: 390, height: 844 });
  await bob.keep('attachments-phone-dark');
  await bob.page.emulateMedia({ colorScheme: 'light' });
  // The image fits the phone's width, at its own proportions.
  const box = await last.locator('[data-testid="attachment-image"] img').boundingBox();
  const list = await bob.page.getByTestId('message-list').boundingBox();
  expect(box!.width).toBeLessThanOrEqual(list!.width);
  expect(Math.abs(box!.width / box!.height - 640 / 360)).toBeLessThan(0.02);
  await bob.keep('attachments-phone');
  await bob.page.setViewportSize({ width: 1280, height: 800 });
});

/** The client package bundled for the browser, exposing `createParleyClient` as `window.parleyClient`. */
async function clientBundle(): Promise<string> {
  const entry = join(tmpdir(), `parley-client-entry-${run}.ts`);
  writeFileSync(
    entry,
    `import { createParleyClient } from ${JSON.stringify(resolve(import.meta.dir, '../../index.ts'))};\n(window as any).parleyClient = createParleyClient;\n`,
  );
  try {
    const built = await Bun.build({ entrypoints: [entry], target: 'browser', format: 'esm' });
    if (!built.success) throw new AggregateError(built.logs, 'client bundle failed');
    return await built.outputs[0]!.text();
  } finally {
    rmSync(entry, { force: true });
  }
}

step('the client’s uploadFile in a browser: progress as the bytes go, one retry with a refreshed token, abort', async () => {
  const carol = await register(server.url, 'carol');
  // A token the server refuses though its `exp` claim says it is good: only the server's UNAUTHORIZED tells.
  const forged = `e30.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 600 }))}.c2ln`;
  const session: Session = { ...carol.session, access_token: forged };
  const page = await ada.context.newPage();
  try {
    await page.goto(`${server.url}/healthz`);
    await page.addScriptTag({ content: await clientBundle(), type: 'module' });
    await page.waitForFunction(() => 'parleyClient' in window);
    const out = await page.evaluate(
      async ({ session, size }) => {
        type Client = { uploadFile(f: Blob, o?: object): Promise<StoredFile> };
        const create = (window as unknown as { parleyClient(o: object): Client }).parleyClient;
        let rotations = 0;
        const client = create({ url: location.origin, session, onSession: () => rotations++ });
        const progress: { loaded: number; total: number }[] = [];
        const file = await client.uploadFile(new File([new Uint8Array(size).fill(1)], 'progress.bin'), {
          onProgress: (p: { loaded: number; total: number }) => progress.push(p),
        });
        const abort = new AbortController();
        const aborted = await client
          .uploadFile(new File([new Uint8Array(size)], 'aborted.bin'), { signal: abort.signal, onProgress: () => abort.abort() })
          .then(
            () => 'uploaded',
            (e: Error) => e.name,
          );
        return { file, progress, rotations, aborted };
      },
      { session, size: 512 * 1024 },
    );
    expect(out.file).toMatchObject({ filename: 'progress.bin', size: 512 * 1024, uploader_id: carol.id });
    expect(out.rotations).toBe(1);
    expect(out.progress.length).toBeGreaterThan(0);
    const last = out.progress.at(-1)!;
    // The multipart body is the file plus its framing; the last event has all of it out.
    expect(last.loaded).toBe(last.total);
    expect(last.total).toBeGreaterThan(512 * 1024);
    expect(out.progress.every((p, i) => i === 0 || p.loaded >= out.progress[i - 1]!.loaded)).toBe(true);
    expect(out.aborted).toBe('AbortError');
  } finally {
    await page.close();
  }
});
