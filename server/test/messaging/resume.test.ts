import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { DirectMessage } from '../../../shared/entities.ts';
import {
  Closer,
  eventually,
  follow,
  type Followed,
  gatedWsClient,
  groupWithChannel,
  metric,
  range,
  type Registered,
  startTestServer,
  type TestServer,
  users,
  wsClient,
} from '../helpers/fixtures.ts';

/**
 * Edits, deletes and reactions are durable events in the message's stream: a subscriber that was
 * away gets them on resume, in order, with their own sequences, exactly as a live subscriber saw them.
 */
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const device = (user: Registered) => closer.add(wsClient(server.url, user.token));
const subscriptions = () => metric(server.url, 'parley_subscriptions');

/** Waits for tracked `last` on `sub`, then a round trip on its socket, and returns its durable events. */
async function durableUpTo(sub: Followed, last: number, barrier: () => Promise<unknown>) {
  await sub.events.until((items) => items.some((e) => e._seq === last), 10_000, `seq ${last}`);
  await barrier();
  return sub.events.items.filter((e) => e._seq !== undefined);
}

/** The changes Alice makes to a channel while Bob is away; returns the events they must produce. */
async function changeChannel(alice: Registered, channelId: string, m: { id: string; seq: number }[]) {
  const edited = await alice.client.messages.edit.mutate({ message_id: m[0]!.id, content: 'first, edited' });
  await alice.client.messages.delete.mutate({ message_id: m[1]!.id });
  await alice.client.messages.react.mutate({ message_id: m[2]!.id, emoji: '👍' });
  await alice.client.messages.react.mutate({ message_id: m[2]!.id, emoji: '🎉' });
  await alice.client.messages.react.mutate({ message_id: m[2]!.id, emoji: '🎉' }); // a repeat: no event
  await alice.client.messages.unreact.mutate({ message_id: m[2]!.id, emoji: '👍' });
  await alice.client.messages.unreact.mutate({ message_id: m[2]!.id, emoji: '👍' }); // a repeat: no event
  const fourth = await alice.client.messages.send.mutate({ channel_id: channelId, content: 'fourth' });
  const reaction = (type: string, emoji: string, seq: number) => ({
    type,
    message_id: m[2]!.id,
    emoji,
    user_id: alice.id,
    channel_id: channelId,
    seq,
    _seq: seq,
  });
  return [
    { type: 'message_updated', ...edited, _seq: 4 },
    { type: 'message_deleted', id: m[1]!.id, seq: m[1]!.seq, channel_id: channelId, _seq: 5 },
    reaction('reaction_added', '👍', 6),
    reaction('reaction_added', '🎉', 7),
    reaction('reaction_removed', '👍', 8),
    { type: 'message', ...fourth, _seq: 9 },
  ];
}

describe('channel stream', () => {
  test('a resumer gets the edits, deletes and reactions it missed, in order, like a subscriber that stayed', async () => {
    const [alice, bob, carol] = await users(server.url, 'alice', 'bob', 'carol');
    const { channel } = await groupWithChannel(alice!, [bob!, carol!]);
    const stayerWs = device(carol!);
    const stayer = follow(stayerWs.api.realtime.channel, { channel_id: channel.id });
    const bobWs = device(bob!);
    const before = follow(bobWs.api.realtime.channel, { channel_id: channel.id });
    await Promise.all([stayer, before].map((s) => s.events.first((e) => e.type === 'online_users')));

    const sent: { id: string; seq: number }[] = [];
    for (const content of ['first', 'second', 'third'])
      sent.push(await alice!.client.messages.send.mutate({ channel_id: channel.id, content }));
    expect(await durableUpTo(before, 3, () => bobWs.api.auth.me.query())).toEqual(
      sent.map((m, i) => ({ type: 'message', ...m, _seq: i + 1 })),
    );
    const open = await subscriptions();
    await bobWs.close();
    await eventually(async () => (await subscriptions()) < open, 5000, 'the server to end the subscription');

    const expected = await changeChannel(alice!, channel.id, sent);
    // The edit event carries everyone's view of the message: reactions with `me` false.
    expect(await durableUpTo(stayer, 9, () => stayerWs.api.auth.me.query())).toEqual([
      ...sent.map((m, i) => ({ type: 'message', ...m, _seq: i + 1 })),
      ...expected,
    ]);

    const back = device(bob!);
    const resumed = follow(back.api.realtime.channel, { channel_id: channel.id, last_event_id: '3' });
    const fromFive = follow(back.api.realtime.channel, { channel_id: channel.id, lastEventId: '5' });
    expect(await durableUpTo(resumed, 9, () => back.api.auth.me.query())).toEqual(expected);
    expect(await durableUpTo(fromFive, 9, () => back.api.auth.me.query())).toEqual(expected.slice(2));
    expect(resumed.events.items[0].type).toBe('online_users');

    // Then live, with the next sequence.
    await alice!.client.messages.react.mutate({ message_id: sent[0]!.id, emoji: '✅' });
    const live = await resumed.events.first((e) => e._seq === 10);
    expect(live).toEqual({
      type: 'reaction_added',
      message_id: sent[0]!.id,
      emoji: '✅',
      user_id: alice!.id,
      channel_id: channel.id,
      seq: 10,
      _seq: 10,
    });
    await back.api.auth.me.query();
    expect(resumed.seqs()).toEqual(range(4, 10));

    // A replay of the whole stream is what the stayer saw live, but showing the present: the
    // edited message carries its current text, the deleted one is a tombstone (CONTRACT.md).
    const replay = follow(back.api.realtime.channel, { channel_id: channel.id, last_event_id: '0' });
    const edit = expected[0] as { content: string; edited_at: string };
    const present = (await durableUpTo(stayer, 10, () => stayerWs.api.auth.me.query())).map((e) =>
      e._seq === 1
        ? { ...e, content: edit.content, edited_at: edit.edited_at }
        : e._seq === 2
          ? { type: 'message_deleted', id: sent[1]!.id, seq: sent[1]!.seq, channel_id: channel.id, _seq: 2 }
          : e,
    );
    expect(await durableUpTo(replay, 10, () => back.api.auth.me.query())).toEqual(present);
  });

  test('a stock client whose socket drops resubscribes with its own lastEventId and gets the changes', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const client = closer.add(gatedWsClient(server.url, bob!.token));
    const sub = follow(client.api.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    const sent = [];
    for (const content of ['a', 'b', 'c']) sent.push(await alice!.client.messages.send.mutate({ channel_id: channel.id, content }));
    await sub.events.until(() => sub.seqs().length === 3);

    const open = await subscriptions();
    client.hold();
    client.socket().close();
    await eventually(async () => (await subscriptions()) < open, 5000, 'the server to end the old subscription');
    const expected = await changeChannel(alice!, channel.id, sent);
    client.release();

    const durable = await durableUpTo(sub, 9, () => client.api.auth.me.query());
    expect(durable.slice(3)).toEqual(expected);
    expect(sub.seqs()).toEqual(range(1, 9));
    expect(sub.of('online_users')).toHaveLength(2);
    expect(sub.events.errors).toEqual([]);
  });
});

describe('DM stream', () => {
  test('a resumer gets DM edits, deletes and reactions in order with their sequences', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const sent: DirectMessage[] = [];
    for (const content of ['one', 'two', 'three']) sent.push(await alice!.client.dms.send.mutate({ user_id: bob!.id, content }));
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);

    const edited = await alice!.client.dms.edit.mutate({ message_id: sent[0]!.id, content: 'one, edited' });
    await alice!.client.dms.delete.mutate({ message_id: sent[1]!.id });
    await bob!.client.dms.react.mutate({ message_id: sent[2]!.id, emoji: '❤️' });
    await bob!.client.dms.react.mutate({ message_id: sent[2]!.id, emoji: '❤️' });
    await alice!.client.dms.react.mutate({ message_id: sent[2]!.id, emoji: '❤️' });
    await bob!.client.dms.unreact.mutate({ message_id: sent[2]!.id, emoji: '❤️' });
    const reply = await bob!.client.dms.send.mutate({ user_id: alice!.id, content: 'four' });
    const reaction = (type: string, user: Registered, seq: number) => ({
      type,
      message_id: sent[2]!.id,
      emoji: '❤️',
      user_id: user.id,
      seq,
      _seq: seq,
    });
    const expected = [
      { type: 'dm_message_updated', ...edited, _seq: 4 },
      { type: 'dm_message_deleted', id: sent[1]!.id, seq: 2, _seq: 5 },
      reaction('reaction_added', bob!, 6),
      reaction('reaction_added', alice!, 7),
      reaction('reaction_removed', bob!, 8),
      { type: 'dm_message', ...reply, _seq: 9 },
    ];

    for (const [who, partner] of [
      [bob!, alice!],
      [alice!, bob!],
    ] as const) {
      const ws = device(who);
      const dm = follow(ws.api.realtime.dm, { user_id: partner.id, last_event_id: '3' });
      expect(await durableUpTo(dm, 9, () => ws.api.auth.me.query())).toEqual(expected);
      expect(dm.events.items[0].type).toMatch(/^dm_user_(online|offline)$/);
      const all = follow(ws.api.realtime.dm, { user_id: partner.id, lastEventId: '0' });
      const replay = await durableUpTo(all, 9, () => ws.api.auth.me.query());
      // The replay shows the present: the edited DM's current text, the deleted one as a tombstone.
      expect(replay.slice(0, 3)).toEqual([
        { type: 'dm_message', ...sent[0]!, content: edited.content, edited_at: edited.edited_at, _seq: 1 },
        { type: 'dm_message_deleted', id: sent[1]!.id, seq: 2, _seq: 2 },
        { type: 'dm_message', ...sent[2]!, _seq: 3 },
      ]);
      expect(replay.slice(3)).toEqual(expected);
    }

    // Live after the replay: an unreact that removes the last reaction.
    const ws = device(bob!);
    const dm = follow(ws.api.realtime.dm, { user_id: alice!.id, last_event_id: '9' });
    await dm.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    const after = await alice!.client.dms.unreact.mutate({ message_id: sent[2]!.id, emoji: '❤️' });
    expect(after.reactions).toEqual([]);
    expect(await dm.events.first((e) => e._seq === 10)).toEqual(reaction('reaction_removed', alice!, 10));
  });
});
