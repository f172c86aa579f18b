import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  errorCode,
  follow,
  type Followed,
  groupWithChannel,
  history,
  httpClient,
  range,
  type Registered,
  sendMany,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { startCluster, streamLog, type Cluster, type Instance } from '../helpers/cluster.ts';

/**
 * Three real instances over one PostgreSQL database and one Redis: clients on different
 * instances see the same streams, in the database's order, exactly once.
 */

// Processes, databases and sockets on a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(60_000);

let cluster: Cluster;
let A: Instance, B: Instance, C: Instance;
const closer = new Closer();
beforeAll(async () => {
  cluster = await startCluster({ instances: 3 });
  [A, B, C] = cluster.instances as [Instance, Instance, Instance];
}, 120_000);
afterEach(() => closer.closeAll());
afterAll(() => cluster?.stop(), 60_000);

/** A user's stock WebSocket client connected to one instance. */
const device = (user: Registered, instance: Instance) => closer.add(wsClient(instance.url, user.token));
/** A user's stock HTTP client talking to one instance. */
const via = (user: Registered, instance: Instance) => httpClient(instance.url, user.token);
const code = (err: unknown) => (err as { data?: { code?: string } }).data?.code;
const withoutSeq = ({ _seq, ...event }: any) => event;
const withoutType = ({ type, ...rest }: any) => rest;

/** Subscribes to a channel on `instance` and waits for its first event (online_users). */
async function inChannel(user: Registered, instance: Instance, channelId: string): Promise<Followed> {
  const sub = follow(device(user, instance).api.realtime.channel, { channel_id: channelId });
  await sub.events.first((e) => e.type === 'online_users');
  return sub;
}

describe('channel messages across instances', () => {
  test('concurrent senders on three instances: every subscriber gets every message once, in seq order, as persisted', async () => {
    const [alice, bob, carol] = (await users(A.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
    const { channel } = await groupWithChannel(alice, [bob, carol]);
    const senders: Array<[Registered, Instance]> = [
      [alice, A],
      [bob, B],
      [carol, C],
    ];
    // One subscriber per instance, plus Alice's second device on the instance of Carol.
    const subs = await Promise.all([
      inChannel(alice, A, channel.id),
      inChannel(bob, B, channel.id),
      inChannel(carol, C, channel.id),
      inChannel(alice, C, channel.id),
    ]);

    const PER_SENDER = 40;
    const sent = (
      await Promise.all(
        senders.map(([user, instance]) => sendMany(via(user, instance), channel.id, PER_SENDER, 8, (i) => `${user.username} #${i}`)),
      )
    ).flat();
    const total = senders.length * PER_SENDER;
    // The database ordered them: one sequence for the channel, gap-free.
    expect(sent.map((m) => m.seq).sort((a, b) => a - b)).toEqual(range(1, total));

    // A last message after the burst: once it is in, anything duplicated or late would be too.
    const last = await via(bob, C).messages.send.mutate({ channel_id: channel.id, content: 'the end' });
    expect(last.seq).toBe(total + 1);
    for (const s of subs) await s.events.first((e) => e._seq === last.seq, 30_000);

    const log = await streamLog(cluster.database, `c:${channel.id}`);
    expect(log.map((e) => e.seq)).toEqual(range(1, total + 1));
    const persisted = await history(alice.client, channel.id);
    expect(persisted.map((m) => m.seq)).toEqual(range(1, total + 1));
    expect(log.map((e) => withoutType(e.event))).toEqual(persisted);
    for (const s of subs) {
      // Exactly once, strictly increasing, and the very events the database holds.
      expect(s.seqs()).toEqual(range(1, total + 1));
      expect(s.of('message').map(withoutSeq)).toEqual(log.map((e) => e.event));
      expect(s.events.errors).toEqual([]);
    }
    // What each sender was told matches what was delivered.
    const bySeq = new Map(log.map((e) => [e.seq, e.event]));
    for (const m of [...sent, last]) expect({ type: 'message', ...m }).toEqual(bySeq.get(m.seq));
  });

  test('edits, reactions and deletions made on one instance reach subscribers on the others in order', async () => {
    const [alice, bob] = (await users(B.url, 'alice', 'bob')) as [Registered, Registered];
    const { channel } = await groupWithChannel(alice, [bob]);
    const subs = await Promise.all([inChannel(alice, C, channel.id), inChannel(bob, A, channel.id)]);
    const m = await via(alice, A).messages.send.mutate({ channel_id: channel.id, content: 'first draft' });
    await via(alice, B).messages.edit.mutate({ message_id: m.id, content: 'final' });
    await via(bob, C).messages.react.mutate({ message_id: m.id, emoji: '👍' });
    await via(alice, C).messages.delete.mutate({ message_id: m.id });
    const log = await streamLog(cluster.database, `c:${channel.id}`);
    // The log is what a replay serves, and a replay shows the present: the deleted message's
    // earlier events are tombstones now. Live subscribers saw each change as it happened.
    expect(log.map((e) => e.event.type)).toEqual(['message_deleted', 'message_deleted', 'reaction_added', 'message_deleted']);
    for (const s of subs) {
      await s.events.first((e) => e.type === 'message_deleted', 20_000);
      expect(s.seqs()).toEqual(log.map((e) => e.seq));
      const live = s.events.items.filter((e) => e._seq !== undefined).map(withoutSeq);
      expect(live.map((e) => e.type)).toEqual(['message', 'message_updated', 'reaction_added', 'message_deleted']);
      expect(live.slice(2)).toEqual(log.slice(2).map((e) => e.event));
    }
    expect(subs[1]!.of('message_updated')[0].content).toBe('final');
  });

  test('typing on one instance reaches the channel on the others, without the database', async () => {
    const [alice, bob, carol] = (await users(C.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
    const { channel } = await groupWithChannel(alice, [bob, carol]);
    const [, b, c] = await Promise.all([inChannel(alice, A, channel.id), inChannel(bob, B, channel.id), inChannel(carol, C, channel.id)]);
    expect(await via(alice, A).realtime.typing.mutate({ channel_id: channel.id, is_typing: true })).toEqual({ ok: true });
    await via(alice, B).realtime.typing.mutate({ channel_id: channel.id, is_typing: false });
    const expected = (is_typing: boolean) => ({
      type: 'typing',
      user_id: alice.id,
      username: alice.username,
      is_typing,
      channel_id: channel.id,
    });
    for (const s of [b!, c!]) {
      await s.events.count((e) => e.type === 'typing', 2, 20_000);
      expect(s.of('typing')).toEqual([expected(true), expected(false)]);
    }
    expect(await streamLog(cluster.database, `c:${channel.id}`)).toEqual([]);
  });
});

describe('direct messages and realtime.me across instances', () => {
  test('a DM pair and both own streams see what the database holds, whichever instance wrote it', async () => {
    const [alice, bob] = (await users(A.url, 'alice', 'bob')) as [Registered, Registered];
    const aliceDm = follow(device(alice, A).api.realtime.dm, { user_id: bob.id });
    const bobDm = follow(device(bob, B).api.realtime.dm, { user_id: alice.id });
    const bobMe = follow(device(bob, C).api.realtime.me, { last_event_id: '0' });
    await Promise.all([aliceDm.started, bobDm.started, bobMe.started]);
    await aliceDm.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    await bobDm.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');

    // Alternate senders and instances; some of it concurrent.
    const sent = [];
    for (let i = 0; i < 6; i++)
      sent.push(
        await via(i % 2 ? bob : alice, [A, B, C][i % 3]!).dms.send.mutate({ user_id: i % 2 ? alice.id : bob.id, content: `dm ${i}` }),
      );
    sent.push(
      ...(await Promise.all(
        range(6, 15).map((i) => via(alice, [A, B, C][i % 3]!).dms.send.mutate({ user_id: bob.id, content: `burst ${i}` })),
      )),
    );
    // Membership and channel changes land on Bob's own stream from other instances.
    const { group } = await groupWithChannel(alice, [bob]);
    await via(alice, B).channels.create.mutate({ group_id: group.id, name: 'second', type: 'TEXT' });
    await via(bob, A).dms.send.mutate({ user_id: alice.id, content: 'done' });

    const pair = await streamLog(cluster.database, alice.id < bob.id ? `d:${alice.id}:${bob.id}` : `d:${bob.id}:${alice.id}`);
    expect(pair.map((e) => e.seq)).toEqual(range(1, sent.length + 1));
    for (const s of [aliceDm, bobDm]) {
      await s.events.first((e) => e._seq === pair.at(-1)!.seq, 20_000);
      expect(s.seqs()).toEqual(pair.map((e) => e.seq));
      expect(s.of('dm_message').map(withoutSeq)).toEqual(pair.map((e) => e.event));
    }
    const listed = await via(bob, C).dms.list.query({ user_id: alice.id, limit: 100 });
    expect([...listed.items].sort((a, b) => a.seq - b.seq)).toEqual(pair.map((e) => withoutType(e.event)));

    const own = await streamLog(cluster.database, `u:${bob.id}`);
    expect(own.map((e) => e.event.type)).toContain('group_joined');
    expect(own.map((e) => e.event.type)).toContain('channel_created');
    await bobMe.events.first((e) => e._seq === own.at(-1)!.seq, 20_000);
    expect(bobMe.seqs()).toEqual(own.map((e) => e.seq));
    expect(bobMe.events.items.filter((e) => e._seq !== undefined).map(withoutSeq)).toEqual(own.map((e) => e.event));
    for (const s of [aliceDm, bobDm, bobMe]) expect(s.events.errors).toEqual([]);
  });
});

describe('WebRTC signalling across instances', () => {
  test('offer, answer and ICE candidates reach only their target on another instance, with from_* set by the server', async () => {
    const [alice, bob, carol, dave] = (await users(B.url, 'alice', 'bob', 'carol', 'dave')) as Registered[] as [
      Registered,
      Registered,
      Registered,
      Registered,
    ];
    const { channel } = await groupWithChannel(alice, [bob, carol, dave], 'VOICE');
    const [a, b, c] = await Promise.all([inChannel(alice, A, channel.id), inChannel(bob, B, channel.id), inChannel(carol, C, channel.id)]);
    const offer = { sdp: 'v=0 offer from alice', type: 'offer' };
    const signal = (user: Registered, instance: Instance, target: Registered, type: 'offer' | 'answer' | 'ice_candidate', data: unknown) =>
      via(user, instance).realtime.signal.mutate({ channel_id: channel.id, target_user_id: target.id, type, data: data as any });

    expect(await signal(alice, A, bob, 'offer', offer)).toEqual({ ok: true });
    const got = await b!.events.first((e) => e.type === 'webrtc_offer', 20_000);
    expect(got).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      channel_id: channel.id,
      data: offer,
    });

    await signal(bob, B, alice, 'answer', { sdp: 'v=0 answer from bob' });
    // Alice's subscription lives on A; she may signal through any instance (presence is cluster-wide).
    await signal(alice, C, bob, 'ice_candidate', { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' });
    const answer = await a!.events.first((e) => e.type === 'webrtc_answer', 20_000);
    expect(answer).toEqual({
      type: 'webrtc_answer',
      from_user_id: bob.id,
      from_username: bob.username,
      channel_id: channel.id,
      data: { sdp: 'v=0 answer from bob' },
    });
    const ice = await b!.events.first((e) => e.type === 'webrtc_ice_candidate', 20_000);
    expect(ice.from_user_id).toBe(alice.id);
    expect(ice.data).toEqual({ candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' });

    // Dave is a member but not on the channel's stream on any instance: not present.
    expect(await errorCode(signal(alice, A, dave, 'offer', offer))).toBe('NOT_FOUND');
    // Nor may Dave signal, not being present himself.
    expect(await errorCode(signal(dave, C, alice, 'offer', offer))).toBe('FORBIDDEN');

    // Barrier: typing from A and from C after the signals; once Carol has both, any signal to her would have arrived.
    await via(alice, A).realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await via(bob, C).realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await via(bob, B).realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    await c!.events.count((e) => e.type === 'typing', 3, 20_000);
    await a!.events.count((e) => e.type === 'typing', 3, 20_000);
    expect(c!.events.items.filter((e) => String(e.type).startsWith('webrtc_'))).toEqual([]);
    expect(a!.events.items.filter((e) => String(e.type).startsWith('webrtc_')).map((e) => e.type)).toEqual(['webrtc_answer']);
    expect(b!.events.items.filter((e) => String(e.type).startsWith('webrtc_')).map((e) => e.type)).toEqual([
      'webrtc_offer',
      'webrtc_ice_candidate',
    ]);
  });

  test('DM signals reach the partner subscribed on another instance', async () => {
    const [alice, bob] = (await users(C.url, 'alice', 'bob')) as [Registered, Registered];
    const a = follow(device(alice, A).api.realtime.dm, { user_id: bob.id });
    const b = follow(device(bob, B).api.realtime.dm, { user_id: alice.id });
    await a.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    await b.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    await via(alice, C).realtime.signal.mutate({ user_id: bob.id, type: 'offer', data: { sdp: 'dm offer' } });
    expect(await b.events.first((e) => e.type === 'webrtc_offer', 20_000)).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      data: { sdp: 'dm offer' },
    });
    await via(bob, A).realtime.signal.mutate({ user_id: alice.id, type: 'answer', data: { sdp: 'dm answer' } });
    expect((await a.events.first((e) => e.type === 'webrtc_answer', 20_000)).data).toEqual({ sdp: 'dm answer' });
  });
});

describe('live authorization across instances', () => {
  test('a kick through instance A ends the kicked user’s subscriptions on B and C with NOT_FOUND', async () => {
    const [alice, bob, carol] = (await users(A.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
    const { group, channel } = await groupWithChannel(alice, [bob, carol]);
    const second = await alice.client.channels.create.mutate({ group_id: group.id, name: 'second', type: 'VOICE' });
    const { channel: elsewhere } = await groupWithChannel(carol, [bob]);
    const watcher = await inChannel(carol, C, channel.id);
    const onB = await inChannel(bob, B, channel.id);
    const onC = await inChannel(bob, C, second.id);
    const unaffected = await inChannel(bob, B, elsewhere.id);
    const bobMe = follow(device(bob, C).api.realtime.me, {});
    await bobMe.started;

    expect(await via(alice, A).groups.removeMember.mutate({ group_id: group.id, user_id: bob.id })).toEqual({ ok: true });
    for (const s of [onB, onC]) expect(code(await s.events.error(20_000))).toBe('NOT_FOUND');
    const left = await bobMe.events.first((e) => e.type === 'group_left', 20_000);
    expect(left).toMatchObject({ type: 'group_left', group_id: group.id });
    const gone = await watcher.events.first((e) => e.type === 'user_left' && e.user_id === bob.id, 20_000);
    expect(gone).toEqual({ type: 'user_left', user_id: bob.id, username: bob.username, channel_id: channel.id });

    // Nothing more of the group reaches him; the other group still does.
    const counts = [onB.events.items.length, onC.events.items.length];
    const after = await via(alice, B).messages.send.mutate({ channel_id: channel.id, content: 'he is gone' });
    await watcher.events.first((e) => e._seq === after.seq, 20_000);
    const other = await via(carol, A).messages.send.mutate({ channel_id: elsewhere.id, content: 'still here' });
    await unaffected.events.first((e) => e._seq === other.seq, 20_000);
    expect([onB.events.items.length, onC.events.items.length]).toEqual(counts);
    expect(unaffected.events.errors).toEqual([]);
    // And no instance lets him back in.
    for (const instance of [A, B, C]) {
      const again = follow(device(bob, instance).api.realtime.channel, { channel_id: channel.id });
      expect(code(await again.events.error(20_000))).toBe('NOT_FOUND');
    }
  });

  test('deleting a channel through one instance ends its streams on every instance', async () => {
    const [alice, bob] = (await users(B.url, 'alice', 'bob')) as [Registered, Registered];
    const { channel } = await groupWithChannel(alice, [bob]);
    const subs = await Promise.all([inChannel(alice, A, channel.id), inChannel(bob, B, channel.id), inChannel(bob, C, channel.id)]);
    await via(alice, C).channels.delete.mutate({ channel_id: channel.id });
    for (const s of subs) expect(code(await s.events.error(20_000))).toBe('NOT_FOUND');
  });
});
