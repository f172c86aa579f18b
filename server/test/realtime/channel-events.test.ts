import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { eventually, follow, groupWithChannel, users, useTestServer } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

const t = useTestServer();
const { device, disconnect } = t;

describe('channel stream', () => {
  test('online_users comes first and lists each present user once, however many devices', async () => {
    const [alice, bob, carol] = await users(t.server.url, 'alice', 'bob', 'carol');
    const { channel } = await groupWithChannel(alice!, [bob!, carol!]);
    const a = follow(device(alice!).api.realtime.channel, { channel_id: channel.id });
    await a.events.first((e) => e.type === 'online_users');
    const b1 = follow(device(bob!).api.realtime.channel, { channel_id: channel.id });
    const b2 = follow(device(bob!).api.realtime.channel, { channel_id: channel.id });
    await b1.events.first((e) => e.type === 'online_users');
    await b2.events.first((e) => e.type === 'online_users');

    const c = follow(device(carol!).api.realtime.channel, { channel_id: channel.id });
    const first = await c.events.first(() => true);
    expect(first.type).toBe('online_users');
    expect(first.channel_id).toBe(channel.id);
    expect([...first.users].sort()).toEqual([alice!.id, bob!.id, carol!.id].sort());
    // The very first event of every subscription is online_users.
    for (const s of [a, b1, b2, c]) expect(s.events.items[0].type).toBe('online_users');
    expect(a.events.items[0].users).toEqual([alice!.id]);
  });

  test('user_joined once per user, user_left only when their last device leaves', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const aliceWs = device(alice!);
    const a = follow(aliceWs.api.realtime.channel, { channel_id: channel.id });
    await a.events.first((e) => e.type === 'online_users');
    const aboutBob = (type: string) => a.of(type).filter((e) => e.user_id === bob!.id);

    const bob1 = device(bob!);
    const b1 = follow(bob1.api.realtime.channel, { channel_id: channel.id });
    const joined = await a.events.first((e) => e.type === 'user_joined' && e.user_id === bob!.id);
    expect(joined).toEqual({ type: 'user_joined', user_id: bob!.id, username: bob!.username, channel_id: channel.id });
    await b1.events.first((e) => e.type === 'online_users');

    const bob2 = device(bob!);
    const b2 = follow(bob2.api.realtime.channel, { channel_id: channel.id });
    const online = await b2.events.first((e) => e.type === 'online_users');
    expect([...online.users].sort()).toEqual([alice!.id, bob!.id].sort());
    // Bob's second device joined the presence scope before its online_users was built; a second
    // user_joined would have been written to Alice's socket by now. The query is a barrier.
    await aliceWs.api.auth.me.query();
    expect(aboutBob('user_joined')).toHaveLength(1);

    await disconnect(bob1);
    await aliceWs.api.auth.me.query();
    expect(aboutBob('user_left')).toHaveLength(0);
    // A later event on the stream arrives after anything the close would have caused.
    await bob2.api.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await a.events.first((e) => e.type === 'typing' && e.user_id === bob!.id);
    expect(aboutBob('user_left')).toHaveLength(0);

    await disconnect(bob2);
    const left = await a.events.first((e) => e.type === 'user_left' && e.user_id === bob!.id);
    expect(left).toEqual({ type: 'user_left', user_id: bob!.id, username: bob!.username, channel_id: channel.id });
    await aliceWs.api.auth.me.query();
    expect(aboutBob('user_left')).toHaveLength(1);
    expect(aboutBob('user_joined')).toHaveLength(1);
  });

  test('a message reaches every subscriber, every device, tracked with its sequence', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const subs = [
      follow(device(alice!).api.realtime.channel, { channel_id: channel.id }),
      follow(device(bob!).api.realtime.channel, { channel_id: channel.id }),
      follow(device(bob!).api.realtime.channel, { channel_id: channel.id }),
    ];
    for (const s of subs) await s.events.first((e) => e.type === 'online_users');

    const first = await bob!.client.messages.send.mutate({ channel_id: channel.id, content: 'hello from bob' });
    const second = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'hi bob' });
    expect(first.seq).toBe(1);
    expect(second.seq).toBe(2);
    for (const s of subs) {
      await s.events.count((e) => e.type === 'message', 2);
      expect(s.of('message')).toEqual([
        { type: 'message', ...first, _seq: 1 },
        { type: 'message', ...second, _seq: 2 },
      ]);
    }
    expect(first).toMatchObject({
      channel_id: channel.id,
      sender_id: bob!.id,
      sender_username: bob!.username,
      content: 'hello from bob',
      edited_at: null,
      reactions: [],
    });
  });

  test('a message sent several times with one nonce is broadcast once, and the sequence has no hole', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const b = follow(device(bob!).api.realtime.channel, { channel_id: channel.id });
    await b.events.first((e) => e.type === 'online_users');

    const nonce = crypto.randomUUID();
    const attempts = await Promise.all(
      [1, 2, 3, 4, 5].map(() => alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'once', nonce })),
    );
    expect(new Set(attempts.map((m) => m.id)).size).toBe(1);
    const again = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'once', nonce });
    expect(again.id).toBe(attempts[0]!.id);
    const next = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'next' });
    expect(next.seq).toBe(attempts[0]!.seq + 1);
    await b.events.first((e) => e._seq === next.seq);
    expect(b.of('message').map((m) => [m._seq, m.content])).toEqual([
      [attempts[0]!.seq, 'once'],
      [next.seq, 'next'],
    ]);
  });

  test('typing is relayed to everyone on the channel, true then false', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const b = follow(device(bob!).api.realtime.channel, { channel_id: channel.id });
    await b.events.first((e) => e.type === 'online_users');

    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: false });
    await b.events.count((e) => e.type === 'typing', 2);
    expect(b.of('typing')).toEqual([
      { type: 'typing', user_id: alice!.id, username: alice!.username, is_typing: true, channel_id: channel.id },
      { type: 'typing', user_id: alice!.id, username: alice!.username, is_typing: false, channel_id: channel.id },
    ]);
    // Ephemeral: never tracked.
    expect(b.of('typing').every((e) => e._seq === undefined)).toBe(true);
  });

  test('a typing true that is never followed by false is ended by the server', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const b = follow(device(bob!).api.realtime.channel, { channel_id: channel.id });
    await b.events.first((e) => e.type === 'online_users');

    await alice!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await b.events.first((e) => e.type === 'typing' && e.is_typing === true);
    const ended = await b.events.first((e) => e.type === 'typing' && e.is_typing === false, 15_000);
    expect(ended).toEqual({ type: 'typing', user_id: alice!.id, username: alice!.username, is_typing: false, channel_id: channel.id });
    expect(b.of('typing')).toHaveLength(2);
  }, 20_000);

  test('typing from a non-member is refused with NOT_FOUND', async () => {
    const [alice, mallory] = await users(t.server.url, 'alice', 'mallory');
    const { channel } = await groupWithChannel(alice!, []);
    const err = await mallory!.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true }).catch((e) => e);
    expect(err.data?.code).toBe('NOT_FOUND');
  });

  test('subscribing to a channel one cannot see is refused with NOT_FOUND', async () => {
    const [alice, mallory] = await users(t.server.url, 'alice', 'mallory');
    const { channel } = await groupWithChannel(alice!, []);
    const m = follow(device(mallory!).api.realtime.channel, { channel_id: channel.id });
    const err: any = await m.events.error();
    expect(err.data?.code).toBe('NOT_FOUND');
    expect(m.events.items).toHaveLength(0);
  });
});

describe('presence across devices', () => {
  test('groups.members shows a user online while any of their devices is connected', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const { group } = await groupWithChannel(alice!, [bob!]);
    const bobOnline = async () =>
      (await alice!.client.groups.members.query({ group_id: group.id })).find((m) => m.user.id === bob!.id)!.online;
    expect(await bobOnline()).toBe(false);

    const d1 = device(bob!);
    const d2 = device(bob!);
    // A round trip on each socket: both are connected and authenticated.
    expect((await d1.api.auth.me.query()).id).toBe(bob!.id);
    expect((await d2.api.auth.me.query()).id).toBe(bob!.id);
    expect(await bobOnline()).toBe(true);

    await disconnect(d1);
    expect(await bobOnline()).toBe(true);
    await disconnect(d2);
    await eventually(async () => (await bobOnline()) === false, 5000, 'bob to go offline');
    expect(await bobOnline()).toBe(false);
  });
});
