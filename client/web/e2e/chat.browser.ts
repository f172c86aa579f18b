/**
 * The web app end to end in real headless Chromium: two users in two browser profiles register,
 * share a group through an invite, chat live with typing and presence, reload into history, and
 * call each other (fake camera) in a VIDEO channel and in a DM.
 *
 *   npx bun test ./client/web/e2e/chat.browser.ts      (needs /usr/bin/chromium; screenshots in client/web/e2e/output/)
 */
import { afterAll, beforeAll, expect } from 'bun:test';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../../index.ts';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.ts';
import * as ui from './actions.ts';
import { browserSteps, launchUser, type UserBrowser } from './harness.ts';

const run = Date.now().toString(36);
const names = { alice: `alice_${run}`, bob: `bob_${run}` };
const GROUP = 'Design team';
const STEP = 60_000;

let server: TestServer;
let alice: UserBrowser;
let bob: UserBrowser;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = await Promise.all([launchUser('alice', server.url), launchUser('bob', server.url)]);
}, 2 * STEP); // two Chromium starts and the first bundle, on a busy CI machine

afterAll(async () => {
  await Promise.allSettled([alice?.close(), bob?.close()]);
  await server?.stop();
}, STEP);

const step = browserSteps(() => [alice, bob], STEP);

step('both users register', async () => {
  await Promise.all([ui.register(alice.page, names.alice), ui.register(bob.page, names.bob)]);
  await alice.screenshot('01-registered');
});

step('alice creates a group with channels and an invite; bob joins with the code', async () => {
  await ui.createGroup(alice.page, GROUP);
  await ui.createChannel(alice.page, 'general', 'TEXT');
  await ui.createChannel(alice.page, 'standup', 'VIDEO');
  const code = await ui.createInvite(alice.page);
  expect(code.length).toBeGreaterThan(4);
  await alice.screenshot('02-group-created');

  await ui.joinGroup(bob.page, code, GROUP);
  // The channels alice made are listed for bob.
  await bob.page.locator('[data-testid="channel-item"][data-name="standup"][data-type="VIDEO"]').waitFor();
  await bob.screenshot('02-joined');
});

step('they see each other online, typing, and each other’s messages live', async () => {
  await ui.openChannel(alice.page, 'general');
  await ui.openChannel(bob.page, 'general');
  await ui.waitPresent(alice.page, names.bob);
  await ui.waitPresent(bob.page, names.alice);

  await alice.page.getByTestId('composer-input').pressSequentially('Hello Bob', { delay: 20 });
  await bob.page
    .getByTestId('typing-indicator')
    .filter({ hasText: `${names.alice} is typing…` })
    .waitFor();
  await bob.screenshot('03-typing');

  await alice.page.getByTestId('composer-input').press('Enter');
  await ui.waitMessage(bob.page, 'Hello Bob');
  // Sending ends the indicator.
  await bob.page.getByTestId('typing-indicator').filter({ hasText: /^$/ }).waitFor();

  await ui.send(bob.page, 'Hi Alice, how are you?');
  await ui.waitMessage(alice.page, 'Hi Alice, how are you?');
  expect(await ui.messageTexts(alice.page)).toEqual(['Hello Bob', 'Hi Alice, how are you?']);
  expect(await ui.messageTexts(bob.page)).toEqual(['Hello Bob', 'Hi Alice, how are you?']);
  await alice.screenshot('04-chat');

  // Bob leaving the channel is seen as presence too.
  await ui.openChannel(bob.page, 'standup');
  await alice.page.locator(`[data-testid="online-user"][data-username="${names.bob}"]`).waitFor({ state: 'detached' });
  await ui.openChannel(bob.page, 'general');
  await ui.waitPresent(alice.page, names.bob);
});

step('bob reloads and scrolls up through the history, page by page', async () => {
  // 60 more messages (more than one page of 50) straight through the API.
  const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc` })] });
  const session = await api.auth.login.mutate({ username: names.alice, password: ui.PASSWORD });
  const authed = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${server.url}/trpc`, headers: { authorization: `Bearer ${session.access_token}` } })],
  });
  const channel = (await authed.channels.list.query({ group_id: (await authed.groups.list.query())[0]!.id })).find(
    (c) => c.name === 'general',
  )!;
  for (let i = 1; i <= 60; i++) await authed.messages.send.mutate({ channel_id: channel.id, content: `backlog ${i}` });
  await ui.waitMessage(bob.page, 'backlog 60');

  await bob.page.reload();
  await bob.page.getByTestId('conversation-title').filter({ hasText: '#general' }).waitFor();
  await ui.waitMessage(bob.page, 'backlog 60');
  await bob.screenshot('05-reloaded');
  // The newest page is loaded first; the oldest message comes only after scrolling up.
  expect(await bob.page.getByTestId('message').count()).toBeLessThan(62);

  await bob.page.waitForFunction(
    () => {
      const list = document.querySelector('[data-testid="message-list"]')!;
      list.scrollTop = 0;
      return document.querySelector('[data-testid="history-start"]') !== null;
    },
    null,
    { polling: 100 },
  );
  const texts = await ui.messageTexts(bob.page);
  expect(texts).toEqual(['Hello Bob', 'Hi Alice, how are you?', ...Array.from({ length: 60 }, (_, i) => `backlog ${i + 1}`)]);
  const seqs = await bob.page.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  await bob.screenshot('06-history-top');
});

step('a video call in the VIDEO channel connects and plays the remote camera', async () => {
  await ui.openChannel(alice.page, 'standup');
  await ui.openChannel(bob.page, 'standup');
  await ui.waitPresent(alice.page, names.bob);
  await ui.waitPresent(bob.page, names.alice);

  await alice.page.locator(`[data-testid="call-start"][data-username="${names.bob}"]`).click();
  await bob.page
    .getByTestId('call-status')
    .filter({ hasText: `Incoming call from ${names.alice}` })
    .waitFor();
  await bob.screenshot('07-incoming-call');
  await bob.page.getByTestId('call-accept').click();

  const [a, b] = await Promise.all([ui.waitVideoPlaying(alice.page), ui.waitVideoPlaying(bob.page)]);
  for (const v of [a, b]) {
    expect(v.state).toBe('connected');
    expect(v.readyState).toBeGreaterThanOrEqual(2);
    expect(v.width).toBeGreaterThan(0);
  }
  await alice.screenshot('08-channel-call');
  await bob.screenshot('08-channel-call');

  await alice.page.getByTestId('call-hangup').click();
  await bob.page.locator('[data-testid="call-panel"][data-status="ended"]').waitFor();
  expect(await bob.page.evaluate(() => window.__parley?.pc?.connectionState)).toBe('closed');
});

step('a DM shows an unread badge, chats live, and carries a video call', async () => {
  // Alice stays in the channel while bob writes to her.
  await bob.page.getByTestId('dm-start-input').fill(names.alice);
  await bob.page.getByTestId('dm-start-submit').click();
  await bob.page
    .getByTestId('conversation-title')
    .filter({ hasText: `@${names.alice}` })
    .waitFor();
  await ui.send(bob.page, 'psst, got a minute?');

  const thread = alice.page.locator(`[data-testid="dm-item"][data-username="${names.bob}"]`);
  await thread.getByTestId('dm-unread').filter({ hasText: '1' }).waitFor();
  await alice.screenshot('09-dm-unread');

  await thread.click();
  await ui.waitMessage(alice.page, 'psst, got a minute?');
  await thread.getByTestId('dm-unread').waitFor({ state: 'detached' });
  await alice.page.getByTestId('partner-status').and(alice.page.locator('[data-online="true"]')).waitFor();

  await alice.page.getByTestId('composer-input').pressSequentially('sure', { delay: 20 });
  await bob.page
    .getByTestId('typing-indicator')
    .filter({ hasText: `${names.alice} is typing…` })
    .waitFor();
  await alice.page.getByTestId('composer-input').press('Enter');
  await ui.waitMessage(bob.page, 'sure');
  // Bob's next message reaches alice live, so her DM stream is up before the call.
  await ui.send(bob.page, 'calling you');
  await ui.waitMessage(alice.page, 'calling you');
  await bob.screenshot('10-dm-chat');

  await bob.page.getByTestId('call-start').click();
  await alice.page.getByTestId('call-accept').click();
  const [a, b] = await Promise.all([ui.waitVideoPlaying(alice.page), ui.waitVideoPlaying(bob.page)]);
  expect(a.width).toBeGreaterThan(0);
  expect(b.width).toBeGreaterThan(0);
  await alice.screenshot('11-dm-call');
  await bob.screenshot('11-dm-call');

  await bob.page.getByTestId('call-hangup').click();
  await alice.page.locator('[data-testid="call-panel"][data-status="ended"]').waitFor();
});
