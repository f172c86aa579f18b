/**
 * Collaborative documents in real headless Chromium: two members of a group edit one Markdown
 * document at the same time and see each other's cursors; the text survives a reload; renaming,
 * a refused delete, a delete by the creator, removal from the group and a stranger's link all
 * end the way a person would expect. Screenshots (light, dark, phone) are kept for the README.
 *
 *   npx bun test ./client/web/e2e/docs.browser.ts     (needs /usr/bin/chromium)
 */
import { afterAll, beforeAll, expect } from 'bun:test';
import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.ts';
import { seriousViolations } from './a11y.ts';
import * as ui from './actions.ts';
import { browserSteps, launchUser, type UserBrowser } from './harness.ts';

const names = { alice: 'alice', bob: 'bob', carol: 'carol' };
const GROUP = 'Writers room';
const DOC = 'Meeting notes';
const STEP = 60_000;

let server: TestServer;
let alice: UserBrowser;
let bob: UserBrowser;
let carol: UserBrowser;
let docUrl = '';

beforeAll(async () => {
  // The real per-user limits (awareness is limited alongside messages): typing must stay within them.
  server = await startTestServer({ RATE_LIMIT_MESSAGES: '20/10s' });
  // The first request builds the web app when the sources changed: not within a page's load timeout on a busy machine.
  await fetch(server.url);
  [alice, bob, carol] = await Promise.all([
    launchUser('alice', server.url),
    launchUser('bob', server.url),
    launchUser('carol', server.url),
  ]);
}, 2 * STEP);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close(), carol?.close()]);
  await server?.stop();
}, STEP);

const step = browserSteps(() => [alice, bob, carol], STEP);

const status = (page: Page, s: string) => page.locator(`[data-testid="doc-status"][data-status="${s}"]`);
const peer = (page: Page, username: string) => page.locator(`[data-testid="doc-peer"][data-username="${username}"]`);
const cursorLabel = (page: Page, username: string) => page.locator('.cm-ySelectionInfo').filter({ hasText: username });

step('three people register; alice and bob share a group, carol does not', async () => {
  await Promise.all([ui.register(alice.page, names.alice), ui.register(bob.page, names.bob), ui.register(carol.page, names.carol)]);
  await ui.createGroup(alice.page, GROUP);
  const code = await ui.createInvite(alice.page);
  await ui.joinGroup(bob.page, code, GROUP);
});

step('alice starts a document; bob opens it and both see who is here', async () => {
  await ui.createDoc(alice.page, DOC);
  docUrl = alice.page.url();
  expect(docUrl).toMatch(/#\/g\/[0-9a-f-]{36}\/d\/[0-9a-f-]{36}$/);
  const editor = alice.page.getByTestId('doc-editor-content');
  await editor.click();
  await alice.page.keyboard.type('# Agenda\n\nNotes:');
  await status(alice.page, 'synced').waitFor();

  // Bob finds it in the channel pane (the list is live: doc_created on realtime.me).
  await bob.page.locator(`[data-testid="space-item-doc"][data-name="${DOC}"]`).waitFor();
  await ui.openDoc(bob.page, DOC);
  await ui.waitDocText(bob.page, '# Agenda\n\nNotes:');
  for (const page of [alice.page, bob.page]) {
    await peer(page, names.alice).waitFor();
    await peer(page, names.bob).waitFor();
  }
  expect(await bob.page.getByTestId('doc-peer').first().locator('.doc-peer-name').textContent()).toBe(`${names.bob} (you)`);
});

step(
  'both type at the same time; both end with the same text holding both inputs, and see the other’s cursor',
  async () => {
    // Alice writes under the heading, bob at the end, each while the other's keystrokes stream in.
    await alice.page.getByTestId('doc-editor-content').click();
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.press('End');
    await bob.page.getByTestId('doc-editor-content').click();
    await bob.page.keyboard.press('Control+End');
    const fromAlice = ' for Monday: budget, hiring and the launch date';
    const fromBob = ' we agreed to ship the beta on Friday, with release notes.';
    await Promise.all([alice.page.keyboard.type(fromAlice, { delay: 15 }), bob.page.keyboard.type(fromBob, { delay: 15 })]);

    const expected = `# Agenda${fromAlice}\n\nNotes:${fromBob}`;
    await Promise.all([ui.waitDocText(alice.page, expected), ui.waitDocText(bob.page, expected)]);
    await Promise.all([status(alice.page, 'synced').waitFor(), status(bob.page, 'synced').waitFor()]);

    // Each sees the other's cursor, labelled with their name.
    await cursorLabel(alice.page, names.bob).waitFor({ state: 'visible' });
    await cursorLabel(bob.page, names.alice).waitFor({ state: 'visible' });
    const labelColor = await cursorLabel(alice.page, names.bob).evaluate((el) => getComputedStyle(el).backgroundColor);
    const swatchColor = await peer(alice.page, names.bob)
      .locator('.doc-swatch')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(labelColor).toBe(swatchColor);
    expect(bob.problems.filter((p) => /too many|429/i.test(p))).toEqual([]);
    await alice.keep('doc-editor');
  },
  90_000,
);

step('the text survives a reload, and the view passes axe', async () => {
  await alice.page.reload();
  await alice.page.getByTestId('doc-title').filter({ hasText: DOC }).waitFor();
  const expected = await ui.docText(bob.page);
  await ui.waitDocText(alice.page, expected);
  await status(alice.page, 'synced').waitFor();
  expect(await seriousViolations(alice.page)).toEqual([]);
});

step('dark theme and a phone-sized window', async () => {
  // Put bob's cursor in the middle of a line, so both screenshots show a labelled caret.
  await bob.page.getByTestId('doc-editor-content').click();
  await bob.page.keyboard.press('Control+Home');
  await cursorLabel(alice.page, names.bob).waitFor({ state: 'visible' });
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await alice.keep('doc-editor-dark');
  await alice.page.setViewportSize({ width: 390, height: 760 });
  await alice.page.getByTestId('doc-title').waitFor();
  await cursorLabel(alice.page, names.bob).waitFor({ state: 'visible' });
  // Nothing of the header spills out sideways on a phone.
  const overflow = await alice.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await alice.keep('doc-editor-phone');
  await alice.page.setViewportSize({ width: 1280, height: 800 });
  await alice.page.emulateMedia({ colorScheme: 'light' });
});

step('a rename shows up in the title and in the list', async () => {
  await alice.page.getByTestId('doc-rename').click();
  await alice.page.getByTestId('doc-rename-input').fill('Monday meeting');
  await alice.page.getByTestId('doc-rename-save').click();
  await alice.page.getByTestId('doc-title').filter({ hasText: 'Monday meeting' }).waitFor();
  await alice.page.locator('[data-testid="space-item-doc"][data-name="Monday meeting"]').waitFor();
});

step('bob may not delete alice’s document: the server says so, and nothing is lost', async () => {
  await bob.page.getByTestId('doc-delete').click();
  await bob.page.getByTestId('doc-delete-confirm').click();
  const error = bob.page.getByTestId('doc-action-error');
  await error.waitFor();
  expect(await error.textContent()).toMatch(/owner|admin|creat|not allowed/i);
  await bob.screenshot('doc-delete-refused');
  expect(await ui.docText(bob.page)).toContain('ship the beta');
  await bob.page.getByTestId('doc-view').waitFor();
});

step('carol, not a member, opening the link learns nothing but "not found"', async () => {
  await carol.page.goto(docUrl);
  await carol.page.getByTestId('group-missing').waitFor();
  expect(await carol.page.getByTestId('doc-view').count()).toBe(0);
  const api = await ui.apiAs(carol.page, server.url);
  const documentId = docUrl.split('/d/')[1]!;
  await expect(api.docs.get.query({ document_id: documentId })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
});

step('when alice deletes the document, bob’s editor closes', async () => {
  await ui.createDoc(alice.page, 'Scratch');
  await bob.page.locator('[data-testid="space-item-doc"][data-name="Scratch"]').waitFor();
  await ui.openDoc(alice.page, 'Monday meeting');
  await alice.page.getByTestId('doc-delete').click();
  await alice.page.getByTestId('doc-delete-confirm').click();
  // Alice leaves it at once; bob's session ends and his view closes too.
  await alice.page.getByTestId('doc-view').waitFor({ state: 'detached' });
  await bob.page.getByTestId('doc-view').waitFor({ state: 'detached' });
  await bob.page.locator('[data-testid="space-item-doc"][data-name="Monday meeting"]').waitFor({ state: 'detached' });
  await bob.page.getByTestId('empty-state').waitFor();
});

step('bob removed from the group: his editing session ends, and he is told why', async () => {
  await ui.openDoc(bob.page, 'Scratch');
  await bob.page.getByTestId('doc-editor-content').click();
  await bob.page.keyboard.type('last words');
  await status(bob.page, 'synced').waitFor();
  const api = await ui.apiAs(alice.page, server.url);
  const me = await ui.apiAs(bob.page, server.url);
  const bobId = (await me.auth.me.query()).id;
  const groupId = /#\/g\/([^/]+)\//.exec(docUrl)![1]!;
  await api.groups.removeMember.mutate({ group_id: groupId, user_id: bobId });
  const ended = bob.page.getByTestId('doc-ended');
  await ended.waitFor();
  expect(await ended.textContent()).toContain(`no longer a member of ${GROUP}`);
  await status(bob.page, 'ended').waitFor();
  expect(await bob.page.getByTestId('doc-peer').count()).toBe(0);
  expect(await bob.page.getByTestId('doc-editor-content').getAttribute('contenteditable')).toBe('false');
  await bob.screenshot('doc-removed');
});
