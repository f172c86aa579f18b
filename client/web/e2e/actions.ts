import type { Page } from 'playwright-core';
import type {} from '../lib/call.ts'; // window.__parley

/** UI steps shared by the browser suites; each waits for its visible outcome, never for a fixed time. */

export const PASSWORD = 'correct horse battery';

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
