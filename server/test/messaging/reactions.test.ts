import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { type Followed, groupWithChannel, type Registered, users, useTestServer } from '../helpers/fixtures.ts';

/** Reactions: idempotent, counted per emoji with the caller's own `me`, and any real emoji or :custom: name. */
setDefaultTimeout(30_000);

// One server for the file; queries and mutations in process (createCaller), streams over stock WebSocket clients.
const t = useTestServer();

/** Follows a channel with a stock WS client of `user`; resolves once online_users arrived. */
const watch = (user: Registered, channelId: string) => t.watchChannel(user, channelId);

/** Proves no further durable event than `lastSeq` came: the next message must be the next sequence. */
async function nothingBetween(sub: Followed, sender: Registered, channelId: string, lastSeq: number) {
  const marker = await sender.client.messages.send.mutate({ channel_id: channelId, content: 'marker' });
  expect(marker.seq).toBe(lastSeq + 1);
  await sub.events.first((e) => e._seq === marker.seq);
  expect(sub.seqs().filter((s) => s > lastSeq)).toEqual([marker.seq]);
}

const UNICODE = [
  '👍',
  '👍🏽', // skin tone modifier
  '👩🏿‍💻', // skin tone + ZWJ sequence
  '👨‍👩‍👧‍👦', // family ZWJ sequence
  '🏳️‍🌈', // flag with variation selector and ZWJ
  '🇯🇵', // regional indicator pair
  '❤️', // text-default heart with emoji presentation selector
  '1️⃣', // keycap sequence
  '🫠', // recent emoji
];
const CUSTOM = [':party_parrot:', ':+1:', ':blob-wave:', ':a:'];

describe('channel reactions', () => {
  test('adding twice is one reaction and one event; removing twice is one removal', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const { sub } = await watch(alice!, channel.id);
    const m = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'react to me' });

    const once = await bob!.client.messages.react.mutate({ message_id: m.id, emoji: '🔥' });
    const twice = await bob!.client.messages.react.mutate({ message_id: m.id, emoji: '🔥' });
    expect(once).toEqual({ ...m, reactions: [{ emoji: '🔥', count: 1, me: true }] });
    expect(twice).toEqual(once);
    const added = await sub.events.first((e) => e.type === 'reaction_added');
    expect(added).toEqual({
      type: 'reaction_added',
      message_id: m.id,
      emoji: '🔥',
      user_id: bob!.id,
      channel_id: channel.id,
      seq: m.seq + 1,
      _seq: m.seq + 1,
    });
    await nothingBetween(sub, alice!, channel.id, m.seq + 1);

    const gone = await bob!.client.messages.unreact.mutate({ message_id: m.id, emoji: '🔥' });
    expect(await bob!.client.messages.unreact.mutate({ message_id: m.id, emoji: '🔥' })).toEqual(gone);
    expect(gone.reactions).toEqual([]);
    // Removing what was never there is a no-op too.
    expect((await alice!.client.messages.unreact.mutate({ message_id: m.id, emoji: '🧊' })).reactions).toEqual([]);
    const removed = await sub.events.first((e) => e.type === 'reaction_removed');
    expect(removed).toMatchObject({ type: 'reaction_removed', message_id: m.id, emoji: '🔥', user_id: bob!.id, seq: m.seq + 3 });
    await nothingBetween(sub, alice!, channel.id, m.seq + 3);
  });

  test('the same reaction sent five times at once is stored once and announced once', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const { sub } = await watch(alice!, channel.id);
    const m = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'race me' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => bob!.client.messages.react.mutate({ message_id: m.id, emoji: '🏁' })),
    );
    for (const r of results) expect(r.reactions).toEqual([{ emoji: '🏁', count: 1, me: true }]);
    await sub.events.first((e) => e.type === 'reaction_added');
    await nothingBetween(sub, alice!, channel.id, m.seq + 1);
    expect(sub.of('reaction_added')).toHaveLength(1);
  });

  test('counts per emoji in order of first use, `me` per viewer in results and history, never in broadcasts', async () => {
    const [alice, bob, carol] = await users(t.server, 'alice', 'bob', 'carol');
    const { channel } = await groupWithChannel(alice!, [bob!, carol!]);
    const { sub } = await watch(carol!, channel.id);
    const m = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'count these' });

    await alice!.client.messages.react.mutate({ message_id: m.id, emoji: '👀' });
    await bob!.client.messages.react.mutate({ message_id: m.id, emoji: '✅' });
    await Promise.all([bob!, carol!].map((u) => u.client.messages.react.mutate({ message_id: m.id, emoji: '👀' })));
    const bobs = await bob!.client.messages.react.mutate({ message_id: m.id, emoji: '🎉' });
    expect(bobs.reactions).toEqual([
      { emoji: '👀', count: 3, me: true },
      { emoji: '✅', count: 1, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    const seen = async (u: Registered) => (await u.client.messages.list.query({ channel_id: channel.id })).items[0]!.reactions;
    expect(await seen(alice!)).toEqual([
      { emoji: '👀', count: 3, me: true },
      { emoji: '✅', count: 1, me: false },
      { emoji: '🎉', count: 1, me: false },
    ]);
    expect((await seen(carol!)).map((r) => r.me)).toEqual([true, false, false]);

    // Edit events carry everyone's counts with `me` false, even for the viewer who reacted.
    const edited = await alice!.client.messages.edit.mutate({ message_id: m.id, content: 'count these, edited' });
    expect(edited.reactions.map((r) => r.me)).toEqual([true, false, false]);
    const update = await sub.events.first((e) => e.type === 'message_updated');
    expect(update).toEqual({
      type: 'message_updated',
      ...edited,
      reactions: [
        { emoji: '👀', count: 3, me: false },
        { emoji: '✅', count: 1, me: false },
        { emoji: '🎉', count: 1, me: false },
      ],
      _seq: expect.any(Number),
    });
    expect(sub.of('reaction_added').map((e) => [e.emoji, e.user_id])).toEqual([
      ['👀', alice!.id],
      ['✅', bob!.id],
      ...sub
        .of('reaction_added')
        .slice(2, 4)
        .map((e) => ['👀', e.user_id]),
      ['🎉', bob!.id],
    ]);
    expect(
      new Set(
        sub
          .of('reaction_added')
          .slice(2, 4)
          .map((e) => e.user_id),
      ),
    ).toEqual(new Set([bob!.id, carol!.id]));
  });

  test('unicode emoji with skin tones, ZWJ sequences, flags and keycaps, and :custom: names, round-trip exactly', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const { sub } = await watch(alice!, channel.id);
    const m = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'every kind of emoji' });
    const all = [...UNICODE, ...CUSTOM];
    let last;
    for (const emoji of all) last = await bob!.client.messages.react.mutate({ message_id: m.id, emoji });
    expect(last!.reactions).toEqual(all.map((emoji) => ({ emoji, count: 1, me: true })));
    const events = await sub.events.count((e) => e.type === 'reaction_added', all.length);
    expect(events.map((e) => e.emoji)).toEqual(all);
    // Distinct sequences that look alike stay distinct (👍 vs 👍🏽), and removal is exact.
    await bob!.client.messages.unreact.mutate({ message_id: m.id, emoji: '👍🏽' });
    const [listed] = (await alice!.client.messages.list.query({ channel_id: channel.id })).items;
    expect(listed!.reactions.map((r) => r.emoji)).toEqual(all.filter((e) => e !== '👍🏽'));
    // Surrounding whitespace is not part of the emoji.
    const spaced = await alice!.client.messages.react.mutate({ message_id: m.id, emoji: '  👍 ' });
    expect(spaced.reactions[0]).toEqual({ emoji: '👍', count: 2, me: true });
  });
});

describe('DM reactions', () => {
  test('both participants react; counts, `me` and one event per change on the DM stream', async () => {
    const [alice, bob] = await users(t.server, 'alice', 'bob');
    const { sub } = await t.watchDm(alice!, bob!.id);
    const m = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'react here' });
    await bob!.client.dms.react.mutate({ message_id: m.id, emoji: '👩🏿‍💻' });
    await bob!.client.dms.react.mutate({ message_id: m.id, emoji: '👩🏿‍💻' });
    const mine = await alice!.client.dms.react.mutate({ message_id: m.id, emoji: '👩🏿‍💻' });
    expect(mine.reactions).toEqual([{ emoji: '👩🏿‍💻', count: 2, me: true }]);
    const custom = await alice!.client.dms.react.mutate({ message_id: m.id, emoji: ':shipit:' });
    expect(custom.reactions).toEqual([
      { emoji: '👩🏿‍💻', count: 2, me: true },
      { emoji: ':shipit:', count: 1, me: true },
    ]);
    const [theirs] = (await bob!.client.dms.list.query({ user_id: alice!.id })).items;
    expect(theirs!.reactions).toEqual([
      { emoji: '👩🏿‍💻', count: 2, me: true },
      { emoji: ':shipit:', count: 1, me: false },
    ]);
    await sub.events.count((e) => e.type === 'reaction_added', 3);
    const next = await bob!.client.dms.send.mutate({ user_id: alice!.id, content: 'after' });
    await sub.events.first((e) => e._seq === next.seq);
    expect(sub.seqs()).toEqual([m.seq, m.seq + 1, m.seq + 2, m.seq + 3, next.seq]);
    expect(next.seq).toBe(m.seq + 4);
    expect(sub.of('reaction_added').map((e) => [e.user_id, e.emoji, e.seq])).toEqual([
      [bob!.id, '👩🏿‍💻', m.seq + 1],
      [alice!.id, '👩🏿‍💻', m.seq + 2],
      [alice!.id, ':shipit:', m.seq + 3],
    ]);
  });
});

describe('reactions in history pages', () => {
  /** A conversation of either kind between alice and bob: send as alice, react as either, read alice's page. */
  const conversations = {
    'a channel': async (alice: Registered, bob: Registered) => {
      const { channel } = await groupWithChannel(alice, [bob]);
      return {
        send: (content: string) => alice.client.messages.send.mutate({ channel_id: channel.id, content }),
        react: (who: Registered, message_id: string, emoji: string) => who.client.messages.react.mutate({ message_id, emoji }),
        page: () => alice.client.messages.list.query({ channel_id: channel.id }),
      };
    },
    'a DM conversation': async (alice: Registered, bob: Registered) => ({
      send: (content: string) => alice.client.dms.send.mutate({ user_id: bob.id, content }),
      react: (who: Registered, message_id: string, emoji: string) => who.client.dms.react.mutate({ message_id, emoji }),
      page: () => alice.client.dms.list.query({ user_id: bob.id }),
    }),
  };
  for (const [kind, open] of Object.entries(conversations)) {
    test(`a history page of ${kind} shows each message its own reactions, and none on messages without`, async () => {
      const [alice, bob] = await users(t.server, 'alice', 'bob');
      const c = await open(alice!, bob!);
      const [first, plain, third] = [await c.send('one'), await c.send('two'), await c.send('three')];
      await c.react(bob!, first.id, '🍎');
      await c.react(alice!, third.id, '🍐');
      await c.react(bob!, third.id, '🍐');
      await c.react(bob!, third.id, '🍋');
      const page = await c.page();
      expect(page.items.map((m) => [m.id, m.reactions])).toEqual([
        [
          third.id,
          [
            { emoji: '🍐', count: 2, me: true },
            { emoji: '🍋', count: 1, me: false },
          ],
        ],
        [plain.id, []],
        [first.id, [{ emoji: '🍎', count: 1, me: false }]],
      ]);
    });
  }
});
