import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { type Followed, groupWithChannel, type Registered, sendMany, users, useTestServer } from '../helpers/fixtures.ts';

/**
 * Read state across a user's devices, unread and mention counts in channels.list / groups.list /
 * dms.conversations, and `mention` events on realtime.me.
 */
setDefaultTimeout(30_000);

// One server for the file; queries and mutations in process (createCaller), streams over stock WebSocket clients.
const t = useTestServer();

/** A stock WS client of `user` following realtime.me, confirmed started. */
const meDevice = (user: Registered) => t.watchMe(user);

type Device = Awaited<ReturnType<typeof meDevice>>;

/**
 * Proves `sub` received nothing of `type` beyond `count` so far: Alice DMs `user`, which puts a
 * dm_message on their own stream after anything committed before it.
 */
async function noMore(sub: Followed, type: string, count: number, alice: Registered, user: Registered) {
  const marker = await alice.client.dms.send.mutate({ user_id: user.id, content: `marker ${crypto.randomUUID()}` });
  await sub.events.first((e) => e.type === 'dm_message' && e.id === marker.id);
  expect(sub.of(type)).toHaveLength(count);
}

const counts = async (user: Registered, groupId: string) =>
  (await user.client.channels.list.query({ group_id: groupId })).map((c) => [c.name, c.unread_count, c.mention_count]);
const groupCounts = async (user: Registered, groupId: string) => {
  const g = (await user.client.groups.list.query()).find((x) => x.id === groupId)!;
  return [g.unread_count, g.mention_count];
};

describe('channels', () => {
  test('marking read on one device tells the other; counts exclude own messages and drop to 0', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const second = await alice!.client.channels.create.mutate({ group_id: group.id, name: 'second', type: 'TEXT' });
    const phone = await meDevice(bob!);
    const laptop = await meDevice(bob!);

    const sent = await sendMany(alice!.client, channel.id, 4);
    await bob!.client.messages.send.mutate({ channel_id: channel.id, content: 'my own words' });
    await sendMany(alice!.client, second.id, 2);
    expect(await counts(bob!, group.id)).toEqual([
      ['c-text', 4, 0],
      ['second', 2, 0],
    ]);
    expect(await groupCounts(bob!, group.id)).toEqual([6, 0]);
    // Alice's own messages are never unread for her.
    expect(await groupCounts(alice!, group.id)).toEqual([1, 0]);

    // Part way: through Alice's second message.
    expect(await phone.api.messages.markRead.mutate({ channel_id: channel.id, seq: sent[1]!.seq })).toEqual({ ok: true });
    const expected = { type: 'read_state', channel_id: channel.id, seq: sent[1]!.seq };
    const onLaptop = await laptop.me.events.first((e) => e.type === 'read_state');
    expect(onLaptop).toEqual({ ...expected, _seq: expect.any(Number) });
    expect(await phone.me.events.first((e) => e.type === 'read_state')).toEqual(onLaptop);
    expect(await counts(bob!, group.id)).toEqual([
      ['c-text', 2, 0],
      ['second', 2, 0],
    ]);
    expect(await groupCounts(bob!, group.id)).toEqual([4, 0]);

    // All the way, from the other device; then the other channel.
    const latest = (await bob!.client.messages.list.query({ channel_id: channel.id, limit: 1 })).items[0]!.seq;
    await laptop.api.messages.markRead.mutate({ channel_id: channel.id, seq: latest });
    await laptop.api.messages.markRead.mutate({ channel_id: second.id, seq: 2 });
    const states = await phone.me.events.count((e) => e.type === 'read_state', 3);
    expect(states.map(({ _seq, ...e }) => e)).toEqual([
      expected,
      { type: 'read_state', channel_id: channel.id, seq: latest },
      { type: 'read_state', channel_id: second.id, seq: 2 },
    ]);
    // Tracked, in order, on the user's own stream.
    expect(states.map((e) => e._seq)).toEqual([states[0]._seq, states[0]._seq + 1, states[0]._seq + 2]);
    expect(await counts(bob!, group.id)).toEqual([
      ['c-text', 0, 0],
      ['second', 0, 0],
    ]);
    expect(await groupCounts(bob!, group.id)).toEqual([0, 0]);

    // New messages are unread again; deleting one of them takes it back off.
    const more = await sendMany(alice!.client, second.id, 3);
    expect(await groupCounts(bob!, group.id)).toEqual([3, 0]);
    await alice!.client.messages.delete.mutate({ message_id: more[0]!.id });
    expect(await counts(bob!, group.id)).toEqual([
      ['c-text', 0, 0],
      ['second', 2, 0],
    ]);
  });

  test('read state only moves forward, is clamped to the latest sequence, and an unchanged mark emits nothing', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const device = await meDevice(bob!);
    const sent = await sendMany(alice!.client, channel.id, 5);

    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: 1_000_000 });
    const clamped = await device.me.events.first((e) => e.type === 'read_state');
    expect(clamped).toMatchObject({ type: 'read_state', channel_id: channel.id, seq: sent[4]!.seq });
    // Backwards and repeated marks are accepted and change nothing.
    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: 2 });
    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: sent[4]!.seq });
    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: 1_000_000 });
    await noMore(device.me, 'read_state', 1, alice!, bob!);
    expect(await counts(bob!, group.id)).toEqual([['c-text', 0, 0]]);

    // Clamped to what existed when marked: the next message is unread.
    const next = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'after the clamp' });
    expect(await counts(bob!, group.id)).toEqual([['c-text', 1, 0]]);
    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: next.seq });
    expect((await device.me.events.count((e) => e.type === 'read_state', 2))[1]).toMatchObject({ seq: next.seq });
  });
});

describe('concurrent marks', () => {
  test('marks racing from several devices leave the furthest one, and each event moves forward', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { group, channel } = await groupWithChannel(alice!, [bob!]);
    const device = await meDevice(bob!);
    const sent = await sendMany(alice!.client, channel.id, 6);
    const devices = [bob!.client, device.api, bob!.client];
    await Promise.all(
      [sent[2]!, sent[5]!, sent[0]!, sent[3]!].map((m, i) =>
        devices[i % 3]!.messages.markRead.mutate({ channel_id: channel.id, seq: m.seq }),
      ),
    );
    await device.me.events.first((e) => e.type === 'read_state' && e.seq === sent[5]!.seq);
    await noMore(device.me, 'read_state', device.me.of('read_state').length, alice!, bob!);
    const seen = device.me.of('read_state').map((e) => e.seq);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe(sent[5]!.seq);
    expect(await counts(bob!, group.id)).toEqual([['c-text', 0, 0]]);
  });
});

describe('mentions', () => {
  test('a mention reaches the mentioned member on realtime.me and counts; not self, not non-members', async () => {
    const [alice, bob, carol, dave] = await users(t.server, 'alice', 'bob', 'carol', 'dave');
    const { group, channel } = await groupWithChannel(alice!, [bob!, carol!]);
    const [bobDev, carolDev, aliceDev, daveDev] = (await Promise.all([bob!, carol!, alice!, dave!].map(meDevice))) as [
      Device,
      Device,
      Device,
      Device,
    ];

    const text = `hey @${bob!.username}, @${alice!.username} and @${dave!.username}: @${carol!.username}.`;
    const message = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: text });
    for (const dev of [bobDev, carolDev]) {
      const mention = await dev.me.events.first((e) => e.type === 'mention');
      expect(mention).toEqual({ type: 'mention', message, group_id: group.id, _seq: expect.any(Number) });
    }
    await noMore(aliceDev.me, 'mention', 0, bob!, alice!);
    await noMore(daveDev.me, 'mention', 0, alice!, dave!);

    // Mentions by username are case-insensitive; a second mention of Bob, one of nobody.
    await carol!.client.messages.send.mutate({ channel_id: channel.id, content: `@${bob!.username.toUpperCase()} look` });
    await carol!.client.messages.send.mutate({ channel_id: channel.id, content: 'email me at bob@example.com' });
    await bobDev.me.events.count((e) => e.type === 'mention', 2);
    expect(await counts(bob!, group.id)).toEqual([['c-text', 3, 2]]);
    expect(await groupCounts(bob!, group.id)).toEqual([3, 2]);
    expect(await counts(carol!, group.id)).toEqual([['c-text', 1, 1]]);
    expect(await counts(alice!, group.id)).toEqual([['c-text', 2, 0]]);

    // Deleting a mentioning message takes its mention back; reading clears the rest.
    await alice!.client.messages.delete.mutate({ message_id: message.id });
    expect(await counts(bob!, group.id)).toEqual([['c-text', 2, 1]]);
    expect(await counts(carol!, group.id)).toEqual([['c-text', 0, 0]]);
    const latest = (await bob!.client.messages.list.query({ channel_id: channel.id, limit: 1 })).items[0]!.seq;
    await bob!.client.messages.markRead.mutate({ channel_id: channel.id, seq: latest });
    expect(await counts(bob!, group.id)).toEqual([['c-text', 0, 0]]);
    expect(await groupCounts(bob!, group.id)).toEqual([0, 0]);
  });
});

describe('direct messages', () => {
  test('conversation unread counts, and dms.markRead reaches the other device', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const phone = await meDevice(bob!);
    const laptop = await meDevice(bob!);
    const sent = [];
    for (const content of ['one', 'two', 'three']) sent.push(await alice!.client.dms.send.mutate({ user_id: bob!.id, content }));
    await bob!.client.dms.send.mutate({ user_id: alice!.id, content: 'my reply' });
    await phone.me.events.count((e) => e.type === 'dm_message', 4);

    const unread = async (u: Registered) => (await u.client.dms.conversations.query()).map((c) => c.unread_count);
    expect(await unread(bob!)).toEqual([3]);
    expect(await unread(alice!)).toEqual([1]);

    await phone.api.dms.markRead.mutate({ user_id: alice!.id, seq: sent[1]!.seq });
    const state = await laptop.me.events.first((e) => e.type === 'read_state');
    expect(state).toEqual({ type: 'read_state', user_id: alice!.id, seq: sent[1]!.seq, _seq: expect.any(Number) });
    expect(await unread(bob!)).toEqual([1]);
    await laptop.api.dms.markRead.mutate({ user_id: alice!.id, seq: 100 });
    expect(await phone.me.events.count((e) => e.type === 'read_state', 2)).toEqual([
      state,
      { type: 'read_state', user_id: alice!.id, seq: 4, _seq: state._seq + 1 },
    ]);
    expect(await unread(bob!)).toEqual([0]);
    // Alice's read state is her own.
    expect(await unread(alice!)).toEqual([1]);
  });
});
