import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  eventually,
  follow,
  type Followed,
  groupWithChannel,
  httpClient,
  metric,
  type Registered,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { startCluster, type Cluster, type Instance } from '../helpers/cluster.ts';

/**
 * Presence is per user across every device and every instance: channel joins and leaves are
 * announced once per user, online_users and groups.members see the whole cluster, and DM
 * partners learn when the other side comes and goes wherever they are connected.
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

const device = (user: Registered, instance: Instance) => closer.add(wsClient(instance.url, user.token));
const via = (user: Registered, instance: Instance) => httpClient(instance.url, user.token);
const sorted = (ids: string[]) => [...ids].sort();

async function inChannel(ws: ReturnType<typeof device>, channelId: string): Promise<Followed> {
  const sub = follow(ws.api.realtime.channel, { channel_id: channelId });
  await sub.events.first((e) => e.type === 'online_users');
  return sub;
}

/** Members' `online` flags as one instance reports them. */
async function onlineFlags(user: Registered, instance: Instance, groupId: string) {
  const members = await via(user, instance).groups.members.query({ group_id: groupId });
  return Object.fromEntries(members.map((m) => [m.user.username, m.online]));
}

test('the instances are separate processes sharing Redis', async () => {
  expect(new Set(cluster.instances.map((i) => i.pid)).size).toBe(3);
  expect(new Set(cluster.instances.map((i) => i.node)).size).toBe(3);
  for (const i of cluster.instances) {
    expect(i.logs.some((l) => l.includes('"msg":"listening"') && l.includes('"cluster":"redis"'))).toBe(true);
    const res = await fetch(`${i.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', bus: 'ok' } });
  }
});

describe('channel presence across instances', () => {
  test('joins and leaves are announced once per user, however many devices on however many instances', async () => {
    const [alice, bob, carol] = (await users(A.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
    const { group, channel } = await groupWithChannel(alice, [bob, carol]);
    const a = await inChannel(device(alice, A), channel.id);
    expect(a.of('online_users')).toEqual([{ type: 'online_users', users: [alice.id], channel_id: channel.id }]);

    const bobOnB = device(bob, B);
    const b1 = await inChannel(bobOnB, channel.id);
    expect(sorted(b1.of('online_users')[0].users)).toEqual(sorted([alice.id, bob.id]));
    const joined = await a.events.first((e) => e.type === 'user_joined' && e.user_id === bob.id, 20_000);
    expect(joined).toEqual({ type: 'user_joined', user_id: bob.id, username: bob.username, channel_id: channel.id });

    const c = await inChannel(device(carol, C), channel.id);
    expect(sorted(c.of('online_users')[0].users)).toEqual(sorted([alice.id, bob.id, carol.id]));
    await a.events.first((e) => e.type === 'user_joined' && e.user_id === carol.id, 20_000);
    await b1.events.first((e) => e.type === 'user_joined' && e.user_id === carol.id, 20_000);

    // Bob's second device, on C: he is already here, so nobody hears of it.
    const bobOnC = device(bob, C);
    const b2 = await inChannel(bobOnC, channel.id);
    expect(sorted(b2.of('online_users')[0].users)).toEqual(sorted([alice.id, bob.id, carol.id]));

    // The whole cluster sees who is online (Carol has only her socket on C; Alice hers on A).
    for (const instance of [A, B, C]) {
      expect(await onlineFlags(carol, instance, group.id)).toEqual({
        [alice.username]: true,
        [bob.username]: true,
        [carol.username]: true,
      });
    }

    // Bob closes the device on B: his device on C keeps him present and online.
    const subsOnB = await metric(B.url, 'parley_subscriptions');
    bobOnB.close();
    await eventually(async () => (await metric(B.url, 'parley_subscriptions')) < subsOnB, 20_000, 'B to end the closed subscription');
    // Barrier: typing published by B after it handled the close reaches Alice and Carol.
    await via(bob, B).realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
    for (const s of [a, c]) await s.events.first((e) => e.type === 'typing' && e.user_id === bob.id, 20_000);
    expect(await onlineFlags(alice, A, group.id)).toMatchObject({ [bob.username]: true });

    // Then the device on C: now he is gone, announced once, wherever the others are.
    bobOnC.close();
    for (const s of [a, c]) {
      const left = await s.events.first((e) => e.type === 'user_left' && e.user_id === bob.id, 20_000);
      expect(left).toEqual({ type: 'user_left', user_id: bob.id, username: bob.username, channel_id: channel.id });
    }
    await eventually(async () => (await onlineFlags(alice, B, group.id))[bob.username] === false, 20_000, 'bob offline in groups.members');

    // Barrier from every instance, then count: one join and one leave per user, no more.
    for (const [user, instance] of [
      [alice, A],
      [carol, B],
      [carol, C],
    ] as const)
      await via(user, instance).realtime.typing.mutate({ channel_id: channel.id, is_typing: false });
    for (const s of [a, c]) {
      await s.events.count((e) => e.type === 'typing' && e.is_typing === false, 3, 20_000);
      expect(s.of('user_left').filter((e) => e.user_id === bob.id)).toHaveLength(1);
    }
    // Alice saw each newcomer once, never her own join (CONTRACT.md v2: only the *other* users
    // hear of it); Carol came after Bob, so she saw no join at all.
    expect(a.of('user_joined').map((e) => e.user_id)).toEqual([bob.id, carol.id]);
    expect(c.of('user_joined').map((e) => e.user_id)).toEqual([]);
    // A newcomer's online_users reflects it.
    const late = await inChannel(device(alice, B), channel.id);
    expect(sorted(late.of('online_users')[0].users)).toEqual(sorted([alice.id, carol.id]));
    expect(await onlineFlags(alice, C, group.id)).toEqual({ [alice.username]: true, [bob.username]: false, [carol.username]: true });
  });
});

describe('DM partner presence across instances', () => {
  test('dm_user_online / dm_user_offline follow the partner’s connections on other instances', async () => {
    const [alice, bob] = (await users(B.url, 'alice', 'bob')) as [Registered, Registered];
    // Presence is visible only to users who share a group or a conversation (CONTRACT.md v2).
    await groupWithChannel(alice, [bob]);
    // Bob is connected nowhere yet.
    const dm = follow(device(alice, A).api.realtime.dm, { user_id: bob.id });
    expect(await dm.events.first(() => true, 20_000)).toEqual({ type: 'dm_user_offline', user_id: bob.id, username: bob.username });

    // Bob connects on B (any authenticated socket counts), then a second device on C.
    const first = device(bob, B);
    await first.api.auth.me.query();
    expect(await dm.events.first((e) => e.type === 'dm_user_online', 20_000)).toEqual({
      type: 'dm_user_online',
      user_id: bob.id,
      username: bob.username,
    });
    const second = device(bob, C);
    await second.api.auth.me.query();
    // Bob's own view of Alice, from C: she is online (her socket is on A).
    const back = follow(second.api.realtime.dm, { user_id: alice.id });
    expect(await back.events.first(() => true, 20_000)).toEqual({ type: 'dm_user_online', user_id: alice.id, username: alice.username });

    // Closing one device changes nothing; closing the last one makes him offline.
    first.close();
    await eventually(async () => (await metric(B.url, 'parley_ws_connections')) === 0, 20_000, 'B to see the socket closed');
    await via(bob, B).realtime.dmTyping.mutate({ user_id: alice.id, is_typing: true });
    await dm.events.first((e) => e.type === 'dm_typing', 20_000);
    expect(dm.of('dm_user_offline')).toHaveLength(1);
    second.close();
    await dm.events.count((e) => e.type === 'dm_user_offline', 2, 20_000);
    // Barrier from both of Bob's former instances, then the exact history.
    await via(bob, B).realtime.dmTyping.mutate({ user_id: alice.id, is_typing: false });
    await via(bob, C).realtime.dmTyping.mutate({ user_id: alice.id, is_typing: false });
    await dm.events.count((e) => e.type === 'dm_typing', 3, 20_000);
    expect(dm.events.items.filter((e) => e.type !== 'dm_typing').map((e) => e.type)).toEqual([
      'dm_user_offline',
      'dm_user_online',
      'dm_user_offline',
    ]);
    expect(dm.events.errors).toEqual([]);
  });
});
