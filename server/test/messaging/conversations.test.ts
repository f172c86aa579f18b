import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Conversation } from '../../../shared/entities.ts';
import { type Registered, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

/** dms.conversations: one entry per partner, latest conversation first, with its last message and what is unread. */
setDefaultTimeout(30_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.stop(), 30_000);

const summary = (list: Conversation[]) => list.map((c) => [c.user.username, c.last_message.content, c.unread_count]);
const dm = (from: Registered, to: Registered, content: string) => from.client.dms.send.mutate({ user_id: to.id, content });

describe('dms.conversations', () => {
  test('nobody to talk to: an empty list', async () => {
    const [loner] = await users(server, 'loner');
    expect(await loner!.client.dms.conversations.query()).toEqual([]);
  });

  test('ordered by latest message either way, with the last message and unread counts', async () => {
    const [alice, bob, carol, dave] = await users(server, 'alice', 'bob', 'carol', 'dave');
    await dm(alice!, bob!, 'hi bob');
    await dm(carol!, alice!, 'hi alice, carol here');
    await dm(carol!, alice!, 'are you there?');
    await dm(alice!, dave!, 'hi dave');
    const b = bob!.username;
    const c = carol!.username;
    const d = dave!.username;

    expect(summary(await alice!.client.dms.conversations.query())).toEqual([
      [d, 'hi dave', 0],
      [c, 'are you there?', 2],
      [b, 'hi bob', 0],
    ]);
    // Bob answers: his conversation moves to the top for both of them.
    const reply = await dm(bob!, alice!, 'hello alice');
    const list = await alice!.client.dms.conversations.query();
    expect(summary(list)).toEqual([
      [b, 'hello alice', 1],
      [d, 'hi dave', 0],
      [c, 'are you there?', 2],
    ]);
    expect(list[0]).toEqual({ user: bob!.session.user, last_message: reply, unread_count: 1 });
    expect(summary(await bob!.client.dms.conversations.query())).toEqual([[alice!.username, 'hello alice', 1]]);
    expect(summary(await carol!.client.dms.conversations.query())).toEqual([[alice!.username, 'are you there?', 0]]);
    // Alice writing to Carol moves Carol up without making anything unread for Alice.
    await dm(alice!, carol!, 'yes, sorry');
    expect(summary(await alice!.client.dms.conversations.query())).toEqual([
      [c, 'yes, sorry', 2],
      [b, 'hello alice', 1],
      [d, 'hi dave', 0],
    ]);
  });

  test('the last message follows edits, reactions and deletes', async () => {
    const [alice, bob] = await users(server, 'alice', 'bob');
    const first = await dm(alice!, bob!, 'first');
    const second = await dm(bob!, alice!, 'second');
    const edited = await bob!.client.dms.edit.mutate({ message_id: second.id, content: 'second, edited' });
    await alice!.client.dms.react.mutate({ message_id: second.id, emoji: '👍' });

    const [mine] = await alice!.client.dms.conversations.query();
    expect(mine).toEqual({
      user: bob!.session.user,
      last_message: { ...edited, reactions: [{ emoji: '👍', count: 1, me: true }] },
      unread_count: 1,
    });
    const [theirs] = await bob!.client.dms.conversations.query();
    expect(theirs!.last_message.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    expect(theirs!.unread_count).toBe(1);

    // The latest deleted: the one before it is the last message, and it is no longer unread.
    await bob!.client.dms.delete.mutate({ message_id: second.id });
    expect(await alice!.client.dms.conversations.query()).toEqual([{ user: bob!.session.user, last_message: first, unread_count: 0 }]);
    expect(summary(await bob!.client.dms.conversations.query())).toEqual([[alice!.username, 'first', 1]]);
    // Everything deleted: no conversation left to show.
    await alice!.client.dms.delete.mutate({ message_id: first.id });
    expect(await alice!.client.dms.conversations.query()).toEqual([]);
    expect(await bob!.client.dms.conversations.query()).toEqual([]);
  });

  test('unread counts follow dms.markRead per partner', async () => {
    const [alice, bob, carol] = await users(server, 'alice', 'bob', 'carol');
    const fromBob = [];
    for (const i of [1, 2, 3]) fromBob.push(await dm(bob!, alice!, `bob ${i}`));
    for (const i of [1, 2]) await dm(carol!, alice!, `carol ${i}`);
    const b = bob!.username;
    const c = carol!.username;
    expect(summary(await alice!.client.dms.conversations.query())).toEqual([
      [c, 'carol 2', 2],
      [b, 'bob 3', 3],
    ]);
    await alice!.client.dms.markRead.mutate({ user_id: bob!.id, seq: fromBob[1]!.seq });
    expect(summary(await alice!.client.dms.conversations.query())).toEqual([
      [c, 'carol 2', 2],
      [b, 'bob 3', 1],
    ]);
    await alice!.client.dms.markRead.mutate({ user_id: carol!.id, seq: 2 });
    await alice!.client.dms.markRead.mutate({ user_id: bob!.id, seq: 1 }); // backwards: ignored
    expect(summary(await alice!.client.dms.conversations.query())).toEqual([
      [c, 'carol 2', 0],
      [b, 'bob 3', 1],
    ]);
  });
});
