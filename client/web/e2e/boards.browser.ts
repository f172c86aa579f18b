/**
 * Kanban boards and task lists in real headless Chromium: two members of one group work on one
 * board and one list; a real mouse drag moves a card, and the other browser shows it at the same
 * place; columns move; a stale edit is refused with a reason; missed changes arrive after a
 * connection drops; a deleted board sends its viewers back to the group.
 *
 *   npx bun test ./client/web/e2e/boards.browser.ts     (needs /usr/bin/chromium)
 */
import { afterAll, beforeAll, expect } from 'bun:test';
import type { Page, WebSocketRoute } from 'playwright-core';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.ts';
import { seriousViolations } from './a11y.ts';
import * as ui from './actions.ts';
import { browserSteps, launchUser, type UserBrowser } from './harness.ts';

const names = { alice: 'alice', bob: 'bob' };
const GROUP = 'Launch crew';
const STEP = 60_000;

let server: TestServer;
let alice: UserBrowser;
let bob: UserBrowser;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([launchUser('alice', server.url), launchUser('bob', server.url)]);
}, 2 * STEP);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await server?.stop();
}, STEP);

const step = browserSteps(() => [alice, bob], STEP);

const column = (page: Page, name: string) => page.locator(`[data-testid="board-column"][data-name="${name}"]`);
const card = (page: Page, col: string, title: string) => column(page, col).locator(`[data-testid="board-card"][data-title="${title}"]`);
/** The card titles of a column, in order. */
const cardTitles = (page: Page, col: string) =>
  column(page, col)
    .getByTestId('board-card')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.title));
const columnNames = (page: Page) => page.getByTestId('board-column').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
/** Waits until a column shows exactly these cards, in this order. */
async function expectCards(page: Page, col: string, titles: string[]) {
  await page.waitForFunction(
    ({ col, titles }) => {
      const el = document.querySelector(`[data-testid="board-column"][data-name="${col}"]`);
      const got = [...(el?.querySelectorAll<HTMLElement>('[data-testid="board-card"]') ?? [])].map((e) => e.dataset.title);
      return JSON.stringify(got) === JSON.stringify(titles);
    },
    { col, titles },
  );
  expect(await cardTitles(page, col)).toEqual(titles);
}
async function expectColumns(page: Page, names: string[]) {
  await page.waitForFunction(
    (names) =>
      JSON.stringify([...document.querySelectorAll<HTMLElement>('[data-testid="board-column"]')].map((e) => e.dataset.name)) ===
      JSON.stringify(names),
    names,
  );
  expect(await columnNames(page)).toEqual(names);
}
const task = (page: Page, title: string) => page.locator(`[data-testid="task"][data-title="${title}"]`);
const taskTitles = (page: Page) => page.getByTestId('task').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.title));

async function openSpace(page: Page, kind: 'board' | 'tasks', name: string) {
  await page.locator(`[data-testid="space-item-${kind}"][data-name="${name}"]`).click();
  await page.getByTestId('space-title').filter({ hasText: name }).waitFor();
}

async function addCard(page: Page, col: string, title: string) {
  await column(page, col).getByTestId('card-create-input').fill(title);
  await column(page, col).getByTestId('card-create-submit').click();
  await card(page, col, title).waitFor();
}

/** Drags with the real mouse (press, move in steps, release), checking the drop indicator on the way. */
async function mouseDrag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, shot?: () => Promise<void>) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 8, from.y + 8, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.getByTestId('drop-indicator').waitFor();
  await shot?.();
  await page.mouse.up();
  await page.getByTestId('drop-indicator').waitFor({ state: 'detached' });
}
const centre = async (locator: ReturnType<Page['locator']>) => {
  const b = (await locator.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2, top: b.y, left: b.x, height: b.height, width: b.width };
};

step('alice and bob share a group', async () => {
  await Promise.all([ui.register(alice.page, names.alice), ui.register(bob.page, names.bob)]);
  await ui.createGroup(alice.page, GROUP);
  const code = await ui.createInvite(alice.page);
  await ui.joinGroup(bob.page, code, GROUP);
});

step('alice makes a board with cards; bob opens it and sees them arrive live', async () => {
  await alice.page.getByTestId('space-create-board-input').fill('Launch');
  await alice.page.getByTestId('space-create-board-submit').click();
  await alice.page.getByTestId('space-title').filter({ hasText: 'Launch' }).waitFor();
  await expectColumns(alice.page, ['To do', 'Doing', 'Done']);
  // Bob's list learns of the new board from his own stream.
  await openSpace(bob.page, 'board', 'Launch');
  await addCard(alice.page, 'To do', 'Write tests');
  await addCard(alice.page, 'To do', 'Fix login');
  await addCard(alice.page, 'Doing', 'Review PR');
  await expectCards(bob.page, 'To do', ['Write tests', 'Fix login']);
  await expectCards(bob.page, 'Doing', ['Review PR']);
});

step('a real mouse drag moves a card across columns; bob sees it at the same place', async () => {
  const from = await centre(card(alice.page, 'To do', 'Write tests'));
  const onto = await centre(card(alice.page, 'Doing', 'Review PR'));
  // Into the upper half of "Review PR": above it.
  await mouseDrag(alice.page, from, { x: onto.x, y: onto.top + 4 }, () => alice.keep('board-drag'));
  await expectCards(alice.page, 'Doing', ['Write tests', 'Review PR']);
  await expectCards(bob.page, 'Doing', ['Write tests', 'Review PR']);
  await expectCards(bob.page, 'To do', ['Fix login']);
  // Within a column, below the last card.
  const top = await centre(card(alice.page, 'Doing', 'Write tests'));
  const last = await centre(card(alice.page, 'Doing', 'Review PR'));
  await mouseDrag(alice.page, top, { x: last.x, y: last.top + last.height - 3 });
  await expectCards(bob.page, 'Doing', ['Review PR', 'Write tests']);
});

step('Alt+arrows move a focused card, and bob sees each move', async () => {
  await card(alice.page, 'To do', 'Fix login').focus();
  await alice.page.keyboard.press('Alt+ArrowRight'); // same place (first) in the next column
  await expectCards(alice.page, 'Doing', ['Fix login', 'Review PR', 'Write tests']);
  // The focus follows the card into its new column, so the next key moves it again.
  await alice.page.keyboard.press('Alt+ArrowDown');
  await expectCards(bob.page, 'Doing', ['Review PR', 'Fix login', 'Write tests']);
  await expectCards(bob.page, 'To do', []);
  expect(await alice.page.evaluate(() => (document.activeElement as HTMLElement).dataset.title)).toBe('Fix login');
  expect(await alice.page.getByTestId('board-status').textContent()).toBe('Moved “Fix login” to Doing, position 2 of 3.');
  // Still on the board: Alt+↑ was not taken as "next channel".
  await alice.page.getByTestId('board').waitFor();
});

step('a move the server never gets is undone, and the board says why', async () => {
  const moves = (url: URL) => url.pathname.includes('cards.move');
  await alice.page.route(moves, (route) => route.abort('internetdisconnected'));
  await card(alice.page, 'Doing', 'Write tests').focus();
  await alice.page.keyboard.press('Alt+ArrowLeft');
  const error = alice.page.getByTestId('board-error');
  await error.waitFor();
  expect(await error.textContent()).toContain('Could not move “Write tests”: Cannot reach the server');
  // Back where it was, here and (never having moved) for bob.
  await expectCards(alice.page, 'Doing', ['Review PR', 'Fix login', 'Write tests']);
  expect(await cardTitles(alice.page, 'To do')).toEqual([]);
  expect(await cardTitles(bob.page, 'Doing')).toEqual(['Review PR', 'Fix login', 'Write tests']);
  await alice.page.unroute(moves);
  await error.getByRole('button', { name: 'Dismiss' }).click();
  await error.waitFor({ state: 'detached' });
});

step('a column dragged by its header moves for bob too; the menu moves it back', async () => {
  const done = await centre(column(alice.page, 'Done').getByTestId('column-name'));
  const todo = await centre(column(alice.page, 'To do'));
  await mouseDrag(alice.page, done, { x: todo.left + 10, y: todo.top + 20 });
  await expectColumns(bob.page, ['Done', 'To do', 'Doing']);
  await column(alice.page, 'Done').getByTestId('column-menu').click();
  await column(alice.page, 'Done').getByTestId('column-right').click();
  await expectColumns(bob.page, ['To do', 'Done', 'Doing']);
  await expectColumns(alice.page, ['To do', 'Done', 'Doing']);
});

step('a card is edited in its dialog (description, assignee, due date, labels) and bob sees it', async () => {
  await card(alice.page, 'Doing', 'Review PR').click();
  const dialog = alice.page.getByTestId('card-dialog');
  await dialog.getByTestId('card-description').fill('Ready once CI is green.');
  await dialog.getByTestId('card-assignee-select').selectOption({ label: names.bob });
  await dialog.getByTestId('card-due-input').fill('2031-03-05');
  await dialog.getByTestId('card-labels').fill('backend, urgent');
  await alice.keep('board-card-dialog');
  await dialog.getByTestId('card-save').click();
  await dialog.waitFor({ state: 'detached' });
  const onBob = card(bob.page, 'Doing', 'Review PR');
  await onBob.getByTestId('card-assignee').filter({ hasText: names.bob }).waitFor();
  expect(await onBob.getByTestId('card-label').allTextContents()).toEqual(['backend', 'urgent']);
  expect(await onBob.getByTestId('card-due').textContent()).toContain('2031');
});

step('a stale edit is refused with a reason, and goes through on the version shown', async () => {
  await card(bob.page, 'Doing', 'Review PR').click();
  const bobDialog = bob.page.getByTestId('card-dialog');
  await bobDialog.waitFor();
  // Meanwhile alice renames the card.
  await card(alice.page, 'Doing', 'Review PR').click();
  await alice.page.getByTestId('card-title').fill('Review PR #12');
  await alice.page.getByTestId('card-save').click();
  await alice.page.getByTestId('card-dialog').waitFor({ state: 'detached' });
  // Bob's open dialog says so at once; his save on the old version is a CONFLICT, in words.
  await bobDialog.getByTestId('card-changed').waitFor();
  await bobDialog.getByTestId('card-description').fill('Bob: CI is green.');
  await bobDialog.getByTestId('card-save').click();
  const error = bobDialog.getByTestId('card-dialog-error');
  await error.waitFor();
  expect(await error.textContent()).toContain('someone else changed this card meanwhile');
  await bob.keep('board-conflict');
  await bobDialog.getByRole('button', { name: 'Show their version' }).click();
  expect(await bobDialog.getByTestId('card-title').inputValue()).toBe('Review PR #12');
  await bobDialog.getByTestId('card-description').fill('Bob: CI is green.');
  await bobDialog.getByTestId('card-save').click();
  await bobDialog.waitFor({ state: 'detached' });
  await card(alice.page, 'Doing', 'Review PR #12').click();
  expect(await alice.page.getByTestId('card-description').inputValue()).toBe('Bob: CI is green.');
  await alice.page.keyboard.press('Escape');
  await alice.page.getByTestId('card-dialog').waitFor({ state: 'detached' });
});

step('bob misses changes while his connection is down and catches up when it is back', async () => {
  // Bob's socket goes through a route the test can cut (the browser's offline mode leaves sockets
  // open). While cut, a new socket is held unanswered; letting go closes it, and the client
  // reconnects at once and resumes its streams from their last event ids.
  let cut = false;
  const open = new Set<WebSocketRoute>();
  const held = new Set<WebSocketRoute>();
  await bob.page.routeWebSocket(/\/trpc/, (ws) => {
    if (cut) return void held.add(ws);
    ws.connectToServer();
    open.add(ws);
  });
  await bob.page.reload();
  await expectCards(bob.page, 'Doing', ['Review PR #12', 'Fix login', 'Write tests']);
  const status = bob.page.getByTestId('connection-status');
  await status.and(bob.page.locator('[data-status="connected"]')).waitFor();
  cut = true;
  for (const ws of open) await ws.close();
  await status.and(bob.page.locator(':not([data-status="connected"])')).waitFor();

  await addCard(alice.page, 'Done', 'Ship it');
  const from = await centre(card(alice.page, 'Doing', 'Write tests'));
  const onto = await centre(card(alice.page, 'Done', 'Ship it'));
  await mouseDrag(alice.page, from, { x: onto.x, y: onto.top + 3 });
  await expectCards(alice.page, 'Done', ['Write tests', 'Ship it']);
  expect(await cardTitles(bob.page, 'Done')).toEqual([]);

  cut = false;
  for (const ws of held) await ws.close();
  await status.and(bob.page.locator('[data-status="connected"]')).waitFor();
  await expectCards(bob.page, 'Done', ['Write tests', 'Ship it']);
  await expectCards(bob.page, 'Doing', ['Review PR #12', 'Fix login']);
});

step('deleting a column with cards asks where they go; bob sees them there', async () => {
  await column(alice.page, 'Doing').getByTestId('column-menu').click();
  await column(alice.page, 'Doing').getByTestId('column-delete').click();
  const dialog = alice.page.getByTestId('column-delete-dialog');
  await dialog.getByTestId('column-delete-target').selectOption({ label: 'Done' });
  await dialog.getByTestId('column-delete-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  await expectColumns(bob.page, ['To do', 'Done']);
  await expectCards(bob.page, 'Done', ['Write tests', 'Ship it', 'Review PR #12', 'Fix login']);
  // And a card deleted from its dialog goes for bob too.
  await card(alice.page, 'Done', 'Ship it').click();
  await alice.page.getByTestId('card-delete').click();
  await alice.page.getByTestId('card-delete-confirm').click();
  await alice.page.getByTestId('card-dialog').waitFor({ state: 'detached' });
  await expectCards(bob.page, 'Done', ['Write tests', 'Review PR #12', 'Fix login']);
});

step('the board reads well: light, dark and on a phone, and passes axe', async () => {
  await addCard(alice.page, 'To do', 'Plan the launch party');
  await alice.page.mouse.move(0, 0);
  const scrollHome = () => alice.page.getByTestId('board-columns').evaluate((el) => (el.scrollLeft = 0));
  await scrollHome();
  expect(await seriousViolations(alice.page)).toEqual([]);
  await alice.keep('board');
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await alice.keep('board-dark');
  await alice.page.emulateMedia({ colorScheme: 'light' });
  await alice.page.setViewportSize({ width: 390, height: 844 });
  expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await scrollHome();
  await alice.keep('board-phone');
  await alice.page.setViewportSize({ width: 1280, height: 800 });
});

step('a task list: added, ticked done and assigned by alice, seen by bob', async () => {
  await alice.page.getByTestId('space-create-tasks-input').fill('Release checklist');
  await alice.page.getByTestId('space-create-tasks-submit').click();
  await alice.page.getByTestId('space-title').filter({ hasText: 'Release checklist' }).waitFor();
  await openSpace(bob.page, 'tasks', 'Release checklist');
  for (const title of ['Tag the build', 'Write notes', 'Email users']) {
    await alice.page.getByTestId('task-create-input').fill(title);
    await alice.page.getByTestId('task-create-submit').click();
    await task(alice.page, title).waitFor();
  }
  await task(bob.page, 'Email users').waitFor();
  expect(await taskTitles(bob.page)).toEqual(['Tag the build', 'Write notes', 'Email users']);

  await task(alice.page, 'Write notes').getByTestId('task-done').check();
  await task(alice.page, 'Write notes').getByTestId('task-assignee').selectOption({ label: names.bob });
  const notes = task(bob.page, 'Write notes');
  await bob.page.locator('[data-testid="task"][data-title="Write notes"][data-done="true"]').waitFor();
  expect(await notes.getByTestId('task-done').isChecked()).toBe(true);
  await bob.page.waitForFunction(() => {
    const s = document.querySelector<HTMLSelectElement>('[data-testid="task"][data-title="Write notes"] [data-testid="task-assignee"]');
    return s?.selectedOptions[0]?.textContent === 'bob';
  });

  // Due yesterday: overdue, for bob too.
  const yesterday = new Date(Date.now() - 86_400_000);
  const day = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
  await task(alice.page, 'Email users').getByTestId('task-due').fill(day);
  await task(bob.page, 'Email users').getByTestId('task-overdue').waitFor();
  expect(await task(bob.page, 'Email users').getByTestId('task-due').inputValue()).toBe(day);

  // Notes, saved when the field is left.
  await task(alice.page, 'Write notes').getByTestId('task-notes-toggle').click();
  await task(alice.page, 'Write notes').getByTestId('task-notes').fill('Link the migration guide.');
  await task(alice.page, 'Write notes').getByTestId('task-title').focus();
  await task(bob.page, 'Write notes').locator('[data-testid="task-notes-toggle"][aria-label="Notes (has notes)"]').click();
  expect(await task(bob.page, 'Write notes').getByTestId('task-notes').inputValue()).toBe('Link the migration guide.');
  await task(bob.page, 'Write notes').getByTestId('task-notes-toggle').click();

  // A task deleted by alice goes for bob.
  await alice.page.getByTestId('task-create-input').fill('Order cake');
  await alice.page.getByTestId('task-create-submit').click();
  await task(bob.page, 'Order cake').waitFor();
  await task(alice.page, 'Order cake').getByTestId('task-delete').click();
  await task(alice.page, 'Order cake').getByTestId('task-delete-confirm').click();
  await task(bob.page, 'Order cake').waitFor({ state: 'detached' });
  expect(await taskTitles(bob.page)).toEqual(['Tag the build', 'Write notes', 'Email users']);
});

step('tasks reorder by button and by mouse; hide done; a stale title edit is refused', async () => {
  await task(alice.page, 'Email users').getByTestId('task-up').click();
  await bob.page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="task"]')].map((e) => e.dataset.title).join() ===
      'Tag the build,Email users,Write notes',
  );
  const from = await centre(task(alice.page, 'Tag the build').locator('.grip'));
  const last = await centre(task(alice.page, 'Write notes'));
  await mouseDrag(alice.page, from, { x: last.x, y: last.top + last.height - 4 });
  await bob.page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="task"]')].map((e) => e.dataset.title).join() ===
      'Email users,Write notes,Tag the build',
  );

  await bob.page.getByTestId('hide-done').check();
  await task(bob.page, 'Write notes').waitFor({ state: 'detached' });
  expect(await taskTitles(bob.page)).toEqual(['Email users', 'Tag the build']);

  // Bob starts renaming while alice renames the same task: his edit was made on an old version.
  const id = await task(bob.page, 'Tag the build').getAttribute('data-drag-item');
  const bobTitle = bob.page.locator(`[data-drag-item="${id}"]`).getByTestId('task-title');
  await bobTitle.focus();
  await task(alice.page, 'Tag the build').getByTestId('task-title').fill('Tag v2.0');
  await task(alice.page, 'Tag the build').getByTestId('task-title').press('Enter');
  await task(bob.page, 'Tag v2.0').waitFor();
  await bobTitle.fill('Tag the release');
  await bobTitle.press('Enter');
  const error = bob.page.getByTestId('tasks-error');
  await error.waitFor();
  expect(await error.textContent()).toContain('someone else changed it meanwhile');
  await task(bob.page, 'Tag v2.0').waitFor();
  expect(await bobTitle.inputValue()).toBe('Tag v2.0');
});

step('the task list reads well: light, dark and on a phone, and passes axe', async () => {
  await alice.page.mouse.move(0, 0);
  expect(await seriousViolations(alice.page)).toEqual([]);
  await alice.keep('tasks');
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await alice.keep('tasks-dark');
  await alice.page.emulateMedia({ colorScheme: 'light' });
  await alice.page.setViewportSize({ width: 390, height: 844 });
  expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await alice.keep('tasks-phone');
  await alice.page.setViewportSize({ width: 1280, height: 800 });
});

step('renaming and deleting: bob sees the new name, then is sent back to the group', async () => {
  await alice.page.getByTestId('space-rename').click();
  await alice.page.getByTestId('space-rename-input').fill('Release 2.0 checklist');
  await alice.page.getByTestId('space-rename-input').press('Enter');
  await bob.page.getByTestId('space-title').filter({ hasText: 'Release 2.0 checklist' }).waitFor();
  await alice.page.getByTestId('space-delete').click();
  await alice.page.getByTestId('space-delete-confirm').click();
  await bob.page.getByTestId('empty-state').waitFor();
  await bob.page.locator('[data-testid="space-item-tasks"]').waitFor({ state: 'detached' });

  await openSpace(bob.page, 'board', 'Launch');
  await openSpace(alice.page, 'board', 'Launch');
  await alice.page.getByTestId('space-delete').click();
  await alice.page.getByTestId('space-delete-confirm').click();
  await alice.page.getByTestId('empty-state').waitFor();
  await bob.page.getByTestId('empty-state').waitFor();
  await bob.page.locator('[data-testid="space-item-board"]').waitFor({ state: 'detached' });
});
