/**
 * The web app as a chat client for every day, in real headless Chromium: two users (and a third,
 * fresh profile) against a server that also goes down and comes back. Each issue-17 defect has a
 * step here; the main views are checked with axe-core and kept as screenshots for the README.
 *
 *   npx bun test ./client/web/e2e/daily.browser.ts     (needs /usr/bin/chromium)
 */
import { afterAll, beforeAll, expect } from 'bun:test';
import type { Page } from 'playwright-core';
import { measureBundle } from '../scripts/bundle-size.ts';
import { seriousViolations } from './a11y.ts';
import * as ui from './actions.ts';
import { browserSteps, launchUser, type UserBrowser } from './harness.ts';
import { startRestartableServer } from './server.ts';

// Every run has a database of its own, so plain names do (and keep the screenshots stable).
const names = { alice: 'alice', bob: 'bob' };
const GROUP = 'Release crew';
const STEP = 60_000;

let server: Awaited<ReturnType<typeof startRestartableServer>>;
let alice: UserBrowser;
let bob: UserBrowser;

beforeAll(async () => {
  // The real message rate limit (20 per 10 s), so a burst meets it as a user would.
  server = await startRestartableServer({ RATE_LIMIT_MESSAGES: '20/10s' });
  [alice, bob] = await Promise.all([launchUser('alice', server.url), launchUser('bob', server.url)]);
}, 2 * STEP);

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await server?.stop();
}, STEP);

const step = browserSteps(() => [alice, bob], STEP);

const box = async (page: Page, testId: string) => (await page.getByTestId(testId).first().boundingBox())!;
const message = (page: Page, text: string) =>
  page.getByTestId('message').filter({ has: page.getByTestId('message-content').filter({ hasText: text }) });

/** Sends Markdown (whose rendered text differs from what was typed). */
async function write(page: Page, text: string) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

async function expectAccessible(page: Page) {
  expect(await seriousViolations(page)).toEqual([]);
}

step('the sign-in screen explains bad input in words and passes axe', async () => {
  await alice.page.getByTestId('auth-form').waitFor();
  await expectAccessible(alice.page);
  await alice.page.getByTestId('auth-mode-toggle').click();
  await alice.page.getByTestId('auth-username').fill('ab');
  await alice.page.getByTestId('auth-password').fill(ui.PASSWORD);
  await alice.page.getByTestId('auth-submit').click();
  await alice.page.getByTestId('auth-error').filter({ hasText: 'Username must be at least 3 characters.' }).waitFor();
  expect(await alice.page.getByTestId('auth-error').textContent()).not.toContain('expected string');
  await alice.page.getByTestId('auth-mode-toggle').click(); // back to log in, as ui.register expects
});

step('both register; the empty state fills the window', async () => {
  await Promise.all([ui.register(alice.page, names.alice), ui.register(bob.page, names.bob)]);
  const main = await box(alice.page, 'empty-state');
  // Centred in the whole main column, not squeezed into a 270 px column.
  expect(main.x + main.width / 2).toBeGreaterThan(700);
  const mainCol = (await alice.page.locator('main.main').boundingBox())!;
  expect(mainCol.x + mainCol.width).toBeGreaterThanOrEqual(1279);
  await alice.page.getByTestId('connection-status').and(alice.page.locator('[data-status="connected"]')).waitFor();
  expect(await alice.page.getByTestId('me-presence').getAttribute('data-online')).toBe('true');
});

step('alice sets up a group with two channels; bob joins', async () => {
  await ui.createGroup(alice.page, GROUP);
  await ui.createChannel(alice.page, 'random', 'TEXT');
  await ui.createChannel(alice.page, 'general', 'TEXT');
  const code = await ui.createInvite(alice.page);
  await ui.joinGroup(bob.page, code, GROUP);
  // The burst goes to #random; #general is kept for the conversation in the screenshots.
  await ui.openChannel(alice.page, 'random');
  await ui.openChannel(bob.page, 'random');
  await ui.waitPresent(alice.page, names.bob);
});

step(
  'a 25-message burst through the rate limit loses nothing and keeps its order',
  async () => {
    const texts = Array.from({ length: 25 }, (_, i) => `burst ${String(i + 1).padStart(2, '0')}`);
    const input = alice.page.getByTestId('composer-input');
    // As fast as the keyboard goes: no waiting for any send to finish.
    for (const t of texts) {
      await input.fill(t);
      await input.press('Enter');
    }
    // Typed while the queue is still sending (the rate limit holds the last ones back): never wiped.
    await input.pressSequentially('still typing', { delay: 5 });
    await bob.page.getByTestId('message-content').filter({ hasText: 'burst 25' }).waitFor({ timeout: 40_000 });
    await alice.page.getByTestId('pending-message').first().waitFor({ state: 'detached', timeout: 40_000 });
    expect(await input.inputValue()).toBe('still typing');
    for (const page of [alice.page, bob.page]) expect((await ui.messageTexts(page)).filter((t) => t.startsWith('burst'))).toEqual(texts);
    await input.fill('');
  },
  90_000,
);

step('a send that fails is kept with its reason, holds back later ones, and goes on Retry', async () => {
  // The network drops for HTTP calls (the socket stays up): the send fails.
  const sends = (url: URL) => url.pathname.includes('messages.send');
  await alice.page.route(sends, (route) => route.abort('internetdisconnected'));
  await write(alice.page, 'first while offline');
  const failed = alice.page.locator('[data-testid="pending-message"][data-status="failed"]');
  await failed.filter({ hasText: 'Cannot reach the server' }).waitFor();
  expect(await failed.textContent()).not.toContain('Failed to fetch');
  const input = alice.page.getByTestId('composer-input');
  await input.fill('second while offline');
  await input.press('Enter');
  await alice.page.getByTestId('pending-message').nth(1).waitFor();
  await alice.keep('send-failed');
  await alice.page.unroute(sends);
  // It may already be retrying on its own, and then the button is gone.
  await alice.page
    .getByTestId('pending-retry')
    .first()
    .click({ timeout: 3000 })
    .catch(() => {});
  await ui.waitMessage(bob.page, 'second while offline');
  const mine = (await ui.messageTexts(bob.page)).slice(-2);
  expect(mine).toEqual(['first while offline', 'second while offline']);
  await alice.page.getByTestId('pending-message').first().waitFor({ state: 'detached' });
});

step('Markdown, links and @mentions render safely; @ completes names', async () => {
  await ui.openChannel(alice.page, 'general');
  await ui.openChannel(bob.page, 'general');
  await write(bob.page, 'Morning! Release notes for **v2.3** are up, we ship _Friday_ 🎉');
  await ui.waitMessage(alice.page, 'Morning! Release notes for v2.3');
  await write(alice.page, 'Great. Checklist:\n- run the migrations\n- tag the build');
  await ui.waitMessage(bob.page, 'run the migrations');
  const input = alice.page.getByTestId('composer-input');
  await input.fill('');
  await input.pressSequentially(`@${names.bob.slice(0, 3)}`);
  await alice.page.getByTestId('mention-option').filter({ hasText: names.bob }).waitFor();
  await input.press('Enter'); // picks the name, does not send
  expect(await input.inputValue()).toBe(`@${names.bob} `);
  // The rest at once: typed key by key right after the pick, a keystroke could land while the menu closes.
  await input.fill(`@${names.bob} **ship it** see https://example.com/notes and \`code\` <img src=x onerror="window.__xss=1">`);
  await input.press('Enter');
  const msg = message(bob.page, 'ship it');
  await msg.waitFor();
  expect(await msg.locator('strong').first().textContent()).toBe('ship it');
  const link = msg.locator('a[href="https://example.com/notes"]');
  expect(await link.getAttribute('target')).toBe('_blank');
  expect(await link.getAttribute('rel')).toContain('noopener');
  expect(await msg.locator('.mention.me').textContent()).toBe(`@${names.bob}`);
  expect(await msg.locator('code').textContent()).toBe('code');
  // Raw HTML is text, never an element.
  expect(await msg.locator('img').count()).toBe(0);
  expect(await msg.getByTestId('message-content').textContent()).toContain('<img src=x');
  expect(await bob.page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
});

step('edit, react and delete travel live between the two users', async () => {
  await ui.send(alice.page, 'meeting at 10');
  const onBob = message(bob.page, 'meeting at 10');
  await onBob.waitFor();

  const onAlice = message(alice.page, 'meeting at 10');
  await onAlice.hover();
  await onAlice.getByTestId('message-edit').click();
  await alice.page.getByTestId('message-edit-input').fill('meeting at 11');
  await alice.page.getByTestId('message-edit-input').press('Enter');
  const edited = message(bob.page, 'meeting at 11');
  await edited.getByTestId('message-edited').waitFor();

  await edited.hover();
  await edited.getByTestId('message-react').click();
  await bob.page.locator('[data-testid="pick-emoji"][data-emoji="👍"]').click();
  const aliceMsg = message(alice.page, 'meeting at 11');
  await aliceMsg.locator('[data-testid="reaction"][data-emoji="👍"][data-count="1"]').waitFor();
  await aliceMsg.locator('[data-testid="reaction"][data-emoji="👍"]').click(); // alice joins in
  await edited.locator('[data-testid="reaction"][data-emoji="👍"][data-count="2"]').waitFor();
  await aliceMsg.locator('[data-testid="reaction"][data-count="2"][aria-pressed="true"]').waitFor();
  await bob.page.mouse.move(0, 0);
  await bob.keep('chat-desktop');
  await bob.page.emulateMedia({ colorScheme: 'dark' });
  await bob.keep('chat-dark');
  await bob.page.emulateMedia({ colorScheme: 'light' });

  await aliceMsg.hover();
  await aliceMsg.getByTestId('message-delete').locator('svg').waitFor();
  await aliceMsg.getByTestId('message-delete').click();
  await alice.page.getByTestId('message-delete-confirm').click();
  await edited.waitFor({ state: 'detached' });
  await aliceMsg.waitFor({ state: 'detached' });
  await expectAccessible(bob.page);
});

step('unread and mention badges, the "new messages" line and jump to unread', async () => {
  await ui.openChannel(alice.page, 'random');
  const api = await ui.apiAs(bob.page, server.url);
  const general = (await api.channels.list.query({ group_id: (await api.groups.list.query())[0]!.id })).find((c) => c.name === 'general')!;
  // Tall messages, so the first unread one is out of sight at the bottom.
  for (let i = 1; i <= 12; i++)
    await api.messages.send.mutate({ channel_id: general.id, content: `Build ${i} passed ✅\nsmoke tests green\ndeployed to staging` });
  await api.messages.send.mutate({ channel_id: general.id, content: `@${names.alice} can you review?` });

  const item = alice.page.locator('[data-testid="channel-item"][data-name="general"]');
  // The mention arrives on alice's own stream and refreshes the counts at once.
  await item.getByTestId('channel-mentions').filter({ hasText: '@1' }).waitFor();
  expect(await item.getByTestId('channel-mentions').getAttribute('aria-label')).toContain('13 unread');
  await alice.keep('badges');

  await ui.openChannel(alice.page, 'general');
  const line = alice.page.getByTestId('unread-line');
  await line.waitFor();
  // The line sits right above the first of bob's 13 new messages.
  const afterLine = await line.evaluate((el) => el.nextElementSibling?.querySelector('[data-testid="message-content"]')?.textContent);
  expect(afterLine).toContain('Build 1 passed');
  // Scrolled to the newest, the line is out of sight: a button jumps back to it.
  await alice.page.getByTestId('message-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await alice.page.getByTestId('jump-unread').click();
  await alice.page.waitForFunction(() => {
    const l = document.querySelector('[data-testid="unread-line"]')!.getBoundingClientRect();
    const list = document.querySelector('[data-testid="message-list"]')!.getBoundingClientRect();
    return l.top >= list.top - 2 && l.bottom <= list.bottom;
  });
  // Read now: no badge once she looks elsewhere, nor after a reload (the server has the read state).
  await ui.openChannel(alice.page, 'random');
  await item.getByTestId('channel-mentions').waitFor({ state: 'detached' });
  await item.getByTestId('channel-unread').waitFor({ state: 'detached' });
  await alice.page.reload();
  await alice.page.getByTestId('conversation-title').filter({ hasText: '#random' }).waitFor();
  expect(await item.getByTestId('channel-unread').count()).toBe(0);
  expect(await item.getByTestId('channel-mentions').count()).toBe(0);
  await ui.openChannel(alice.page, 'general');
});

step('search shows ranked results with their marks and opens the channel', async () => {
  await alice.page.getByTestId('search-input').fill('review');
  await alice.page.getByTestId('search-input').press('Enter');
  const result = alice.page.getByTestId('search-result').first();
  await result.waitFor();
  expect(await result.locator('mark').first().textContent()).toMatch(/review/i);
  // The snippet is text with marks, never markup from the message.
  expect(await alice.page.getByTestId('search-panel').locator('b, img, script').count()).toBe(0);
  await expectAccessible(alice.page);
  await alice.keep('search');
  await ui.openChannel(alice.page, 'random');
  await result.click();
  await alice.page.getByTestId('conversation-title').filter({ hasText: '#general' }).waitFor();
  // Keyboard: Alt+↑ goes to the channel above, Alt+↓ back.
  await alice.page.keyboard.press('Alt+ArrowUp');
  await alice.page.getByTestId('conversation-title').filter({ hasText: '#random' }).waitFor();
  await alice.page.keyboard.press('Alt+ArrowDown');
  await alice.page.getByTestId('conversation-title').filter({ hasText: '#general' }).waitFor();
});

step('the member list shows roles and who is online', async () => {
  // Icon-only buttons draw their icons: an emoji glyph is an empty box where no emoji font is installed.
  const icon = await alice.page.getByTestId('members-toggle').locator('svg').boundingBox();
  expect(icon?.width).toBeGreaterThanOrEqual(16);
  await alice.page.getByTestId('members-toggle').click();
  const list = alice.page.getByTestId('member-list');
  await list.locator(`[data-testid="member"][data-username="${names.alice}"][data-role="owner"]`).waitFor();
  await list.locator(`[data-testid="member"][data-username="${names.bob}"][data-role="member"][data-online="true"]`).waitFor();
  await expectAccessible(alice.page);
  await alice.keep('members');
  await alice.page.getByTestId('members-toggle').click();
});

step('a DM fills the window, and a fresh device names the partner', async () => {
  await bob.page.getByTestId('dm-start-input').fill(names.alice);
  await bob.page.getByTestId('dm-start-submit').click();
  await bob.page
    .getByTestId('conversation-title')
    .filter({ hasText: `@${names.alice}` })
    .waitFor();
  await ui.send(bob.page, 'lunch later?');
  const conv = await box(bob.page, 'conversation');
  expect(conv.x + conv.width).toBeGreaterThanOrEqual(1279);
  expect(conv.width).toBeGreaterThan(800);
  await expectAccessible(bob.page);
  await bob.keep('dm');

  const fresh = await launchUser('alice-new-device', server.url);
  try {
    await fresh.page.getByTestId('auth-username').fill(names.alice);
    await fresh.page.getByTestId('auth-password').fill(ui.PASSWORD);
    await fresh.page.getByTestId('auth-submit').click();
    const thread = fresh.page.locator(`[data-testid="dm-item"][data-username="${names.bob}"]`);
    await thread.getByTestId('dm-unread').filter({ hasText: '1' }).waitFor();
    await thread.click();
    await ui.waitMessage(fresh.page, 'lunch later?');
    await fresh.page
      .getByTestId('conversation-title')
      .filter({ hasText: `@${names.bob}` })
      .waitFor();
  } finally {
    await fresh.close();
  }
});

step('on a 390 px phone the conversation shows and the sidebar is a drawer', async () => {
  await bob.page.setViewportSize({ width: 390, height: 844 });
  const conv = await box(bob.page, 'conversation');
  expect(conv.x).toBeGreaterThanOrEqual(0);
  expect(conv.width).toBeGreaterThan(370);
  expect(await bob.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await bob.page.getByTestId('composer-input').waitFor({ state: 'visible' });
  expect(await bob.page.getByTestId('nav').isVisible()).toBe(false);
  await expectAccessible(bob.page);

  await bob.page.getByTestId('menu-toggle').click();
  await bob.page.locator(`[data-testid="group-item"][data-name="${GROUP}"]`).click();
  await bob.page.locator('[data-testid="channel-item"][data-name="general"]').click();
  await bob.page.getByTestId('conversation-title').filter({ hasText: '#general' }).waitFor();
  await bob.page.getByTestId('nav').waitFor({ state: 'hidden' });
  await bob.keep('phone-conversation');
  await bob.page.getByTestId('menu-toggle').click();
  await bob.page.getByTestId('nav').waitFor({ state: 'visible' });
  await bob.keep('phone-drawer');
  await bob.page.keyboard.press('Escape');
  await bob.page.getByTestId('nav').waitFor({ state: 'hidden' });
  await bob.page.setViewportSize({ width: 1280, height: 800 });
});

step('dark theme: from the system preference, and by the toggle', async () => {
  await bob.page.emulateMedia({ colorScheme: 'dark' });
  const bg = () => bob.page.evaluate(() => getComputedStyle(document.querySelector('main.main')!).backgroundColor);
  expect(await bg()).not.toBe('rgb(255, 255, 255)');
  await expectAccessible(bob.page);
  await bob.page.emulateMedia({ colorScheme: 'light' });
  expect(await bg()).toBe('rgb(255, 255, 255)');
  await bob.page.getByTestId('theme-toggle').click(); // system -> light
  await bob.page.getByTestId('theme-toggle').click(); // light -> dark
  expect(await bob.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  expect(await bg()).not.toBe('rgb(255, 255, 255)');
  await bob.page.getByTestId('theme-toggle').click(); // back to the system's
});

step(
  'server down: the app says so, shows nobody online, keeps what is typed, and resumes',
  async () => {
    await ui.waitPresent(bob.page, names.alice);
    await server.down();
    for (const page of [alice.page, bob.page]) {
      await page.getByTestId('connection-status').and(page.locator('[data-status="reconnecting"]')).waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('me-presence').getAttribute('data-online')).toBe('false');
      expect(await page.getByTestId('online-user').count()).toBe(0);
    }
    await bob.keep('reconnecting');
    // A message written now waits and is sent once the server is back.
    const input = bob.page.getByTestId('composer-input');
    await input.fill('sent while the server was down');
    await input.press('Enter');
    await bob.page.getByTestId('pending-message').waitFor();
    // Other actions say what is wrong in words.
    await bob.page.getByTestId('group-create-input').fill('Offline group');
    await bob.page.getByTestId('group-create-submit').click();
    const err = await bob.page.getByTestId('group-create-error').textContent();
    expect(err).toContain('Cannot reach the server');

    await server.up();
    for (const page of [alice.page, bob.page])
      await page.getByTestId('connection-status').and(page.locator('[data-status="connected"]')).waitFor({ timeout: 30_000 });
    await ui.waitMessage(alice.page, 'sent while the server was down');
    await ui.waitPresent(bob.page, names.alice);
    expect(await bob.page.getByTestId('me-presence').getAttribute('data-online')).toBe('true');
    await bob.page.getByTestId('pending-message').waitFor({ state: 'detached' });
  },
  90_000,
);

step('the app ships lean: the bundle the server serves stays under budget', async () => {
  const size = await measureBundle(server.url + '/');
  console.log(`web bundle: ${(size.bytes / 1024).toFixed(1)} KiB, gzip ${(size.gzip / 1024).toFixed(1)} KiB`);
  // React + tRPC client + Markdown renderer + the app; a regression past this needs a reason.
  expect(size.gzip).toBeLessThan(140 * 1024);
});
