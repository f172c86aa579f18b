import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { Page } from 'playwright-core';
import type { AppRouter } from '../../index.ts';
import type {} from '../lib/call.ts'; // window.__parley

/** UI steps shared by the browser suites; each waits for its visible outcome, never for a fixed time. */

export const PASSWORD = 'correct horse battery';

/** An API client acting as whoever is signed in on `page` (for setting up data quickly). */
export async function apiAs(page: Page, serverUrl: string) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('parley.session')!).session.access_token as string);
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${serverUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })],
  });
}

export async function register(page: Page, username: string) {
  await page.getByTestId('auth-mode-toggle').click();
  await page.getByTestId('auth-username').fill(username);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('me-username').filter({ hasText: username }).waitFor();
}

export async function createGroup(page: Page, name: string) {
  await page.getByTestId('group-create-input').fill(name);
  await page.getByTestId('group-create-submit').click();
  await page.getByTestId('group-title').filter({ hasText: name }).waitFor();
}

export async function createChannel(page: Page, name: string, type: 'TEXT' | 'VOICE' | 'VIDEO') {
  await page.getByTestId('channel-name-input').fill(name);
  await page.getByTestId('channel-type-select').selectOption(type);
  await page.getByTestId('channel-create').click();
  await page
    .getByTestId('conversation-title')
    .filter({ hasText: `#${name}` })
    .waitFor();
}

export async function createInvite(page: Page): Promise<string> {
  await page.getByTestId('invite-create').click();
  return (await page.getByTestId('invite-code').textContent())!.trim();
}

export async function joinGroup(page: Page, code: string, name: string) {
  await page.getByTestId('join-input').fill(code);
  await page.getByTestId('join-submit').click();
  await page.getByTestId('group-title').filter({ hasText: name }).waitFor();
}

export async function openChannel(page: Page, name: string) {
  await page.locator(`[data-testid="channel-item"][data-name="${name}"]`).click();
  await page
    .getByTestId('conversation-title')
    .filter({ hasText: `#${name}` })
    .waitFor();
}

/** Waits until `username` shows as present in the open channel. */
export async function waitPresent(page: Page, username: string) {
  await page.locator(`[data-testid="online-user"][data-username="${username}"]`).waitFor();
}

export async function send(page: Page, text: string) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  await waitMessage(page, text);
}

export async function waitMessage(page: Page, text: string) {
  await page.getByTestId('message-content').filter({ hasText: text }).first().waitFor();
}

/** The open conversation's message texts, in display order. */
export const messageTexts = (page: Page) => page.getByTestId('message-content').allTextContents();

/** Waits for the call's RTCPeerConnection to connect and the remote video to play frames. */
export async function waitVideoPlaying(page: Page) {
  await page.waitForFunction(() => window.__parley?.pc?.connectionState === 'connected', null, { timeout: 20_000 });
  await page.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
      return !!v && v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0 && !v.paused;
    },
    null,
    { timeout: 20_000 },
  );
  const start = await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')!.currentTime);
  await page.waitForFunction(
    (t0) => document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')!.currentTime > t0 + 0.5,
    start,
    { timeout: 10_000 },
  );
  return page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')!;
    return { state: window.__parley!.pc!.connectionState, readyState: v.readyState, width: v.videoWidth, height: v.videoHeight };
  });
}

/** A file as the tests hand it to the page: what `setInputFiles` takes. */
export interface FileSpec {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A real PNG drawn on a canvas in the page (a colour gradient, so that screenshots show something). */
export async function canvasPng(page: Page, name: string, width: number, height: number, hue: number): Promise<FileSpec> {
  const b64 = await page.evaluate(
    async ({ width, height, hue }) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d')!;
      const fill = g.createLinearGradient(0, 0, width, height);
      fill.addColorStop(0, `hsl(${hue} 70% 55%)`);
      fill.addColorStop(1, `hsl(${(hue + 60) % 360} 70% 35%)`);
      g.fillStyle = fill;
      g.fillRect(0, 0, width, height);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return new Promise<string>((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve((reader.result as string).split(',')[1]!);
        reader.readAsDataURL(blob);
      });
    },
    { width, height, hue },
  );
  return { name, mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') };
}

/** A DataTransfer holding `files`, built in the page (what a paste or a drop from the desktop carries). */
function dataTransfer(page: Page, files: FileSpec[]) {
  return page.evaluateHandle(
    (specs) => {
      const dt = new DataTransfer();
      for (const s of specs) dt.items.add(new File([Uint8Array.from(atob(s.b64), (c) => c.charCodeAt(0))], s.name, { type: s.type }));
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.mimeType, b64: f.buffer.toString('base64') })),
  );
}

/** Picks files with the composer's 📎 button (its file input). */
export async function attachFiles(page: Page, files: FileSpec[]) {
  await page.getByTestId('composer-file-input').setInputFiles(files);
}

/** Pastes files into the message box, as a screenshot or a copied image is pasted. */
export async function pasteFiles(page: Page, files: FileSpec[]) {
  const dt = await dataTransfer(page, files);
  await page
    .getByTestId('composer-input')
    .evaluate((el, clipboardData) => el.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true })), dt);
}

/** Drags files from the desktop onto the conversation and drops them there. */
export async function dropFiles(page: Page, files: FileSpec[]) {
  const dt = await dataTransfer(page, files);
  const target = page.getByTestId('message-list');
  await target.dispatchEvent('dragenter', { dataTransfer: dt });
  await target.dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId('drop-overlay').waitFor();
  await target.dispatchEvent('drop', { dataTransfer: dt });
  await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
}

/** A pending upload chip of the composer, by file name. */
export const uploadChip = (page: Page, name: string) => page.locator(`[data-testid="upload-chip"][data-name="${name}"]`);

/** Creates a document in the open group from the channel pane; its editor opens. */
export async function createDoc(page: Page, title: string) {
  await page.getByTestId('space-create-doc-input').fill(title);
  await page.getByTestId('space-create-doc-submit').click();
  await page.getByTestId('doc-title').filter({ hasText: title }).waitFor();
  await page.locator('[data-testid="doc-status"][data-status="synced"]').waitFor();
}

/** Opens a document of the open group by its title and waits for its text. */
export async function openDoc(page: Page, title: string) {
  await page.locator(`[data-testid="space-item-doc"][data-name="${title}"]`).click();
  await page.getByTestId('doc-title').filter({ hasText: title }).waitFor();
  await page.getByTestId('doc-editor-content').waitFor();
}

/** The open document's text as its editor shows it, without other people's cursor labels (an expression run in the page). */
const DOC_TEXT = `[...document.querySelectorAll('[data-testid="doc-editor-content"] .cm-line')]
  .map((line) => {
    const copy = line.cloneNode(true);
    copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer, .cm-placeholder').forEach((n) => n.remove());
    return copy.textContent;
  })
  .join('\\n')`;

export const docText = (page: Page) => page.evaluate<string>(DOC_TEXT);

/** Waits until the open document reads `text` (edits arrive live, so this may take a moment). */
export async function waitDocText(page: Page, text: string, timeout = 15_000) {
  await page.waitForFunction(`${DOC_TEXT} === ${JSON.stringify(text)}`, null, { timeout });
}
