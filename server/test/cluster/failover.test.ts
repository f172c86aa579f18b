import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  eventually,
  follow,
  groupWithChannel,
  httpClient,
  range,
  type Registered,
  sendMany,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { isRegistered, movableWsClient, startCluster, streamLog, type Cluster, type Instance } from '../helpers/cluster.ts';

/**
 * An instance dies without a goodbye (SIGKILL): the users it served go offline everywhere else
 * within 30 s (the contract's promise; waited for with 35 s), and its clients reconnect to
 * another instance and resume their streams with nothing lost and nothing twice.
 */

setDefaultTimeout(120_000);

/** The contract promises 30 s; a little slack for a loaded machine. */
const OFFLINE_WITHIN_MS = 35_000;

let cluster: Cluster;
let A: Instance, B: Instance, victim: Instance;
const closer = new Closer();
beforeAll(async () => {
  cluster = await startCluster({ instances: 3 });
  [A, B, victim] = cluster.instances as [Instance, Instance, Instance];
}, 120_000);
afterEach(() => closer.closeAll());
afterAll(() => cluster?.stop(), 60_000);

const via = (user: Registered, instance: Instance) => httpClient(instance.url, user.token);
const withoutSeq = ({ _seq, ...event }: any) => event;

test('SIGKILL of a running instance: its users go offline elsewhere within 30 s; its clients resume on another instance with nothing lost', async () => {
  const [alice, bob, carol, dave] = (await users(A.url, 'alice', 'bob', 'carol', 'dave')) as [
    Registered,
    Registered,
    Registered,
    Registered,
  ];
  const { group, channel } = await groupWithChannel(alice, [bob, carol, dave]);

  // Carol (a client that can be pointed elsewhere) and Dave (one that cannot) are on the victim.
  const carolWs = closer.add(movableWsClient(victim.url, carol.token));
  const c = follow(carolWs.api.realtime.channel, { channel_id: channel.id });
  const cMe = follow(carolWs.api.realtime.me, { last_event_id: '0' });
  const daveWs = closer.add(wsClient(victim.url, dave.token, { retryDelayMs: () => 200 }));
  const d = follow(daveWs.api.realtime.channel, { channel_id: channel.id });
  await Promise.all([c, d].map((s) => s.events.first((e) => e.type === 'online_users')));
  await cMe.started;

  // Alice on A and Bob on B watch the channel; Bob also has a DM open with Dave.
  const a = follow(closer.add(wsClient(A.url, alice.token)).api.realtime.channel, { channel_id: channel.id });
  const bobOnB = closer.add(wsClient(B.url, bob.token));
  const b = follow(bobOnB.api.realtime.channel, { channel_id: channel.id });
  const bDm = follow(bobOnB.api.realtime.dm, { user_id: dave.id });
  for (const s of [a, b]) {
    const online = await s.events.first((e) => e.type === 'online_users');
    expect(online.users).toEqual(expect.arrayContaining([carol.id, dave.id]));
  }
  expect(await bDm.events.first(() => true, 20_000)).toEqual({ type: 'dm_user_online', user_id: dave.id, username: dave.username });
  expect(
    Object.fromEntries((await via(alice, A).groups.members.query({ group_id: group.id })).map((m) => [m.user.id, m.online])),
  ).toMatchObject({
    [carol.id]: true,
    [dave.id]: true,
  });

  const before = await sendMany(via(alice, A), channel.id, 5, 1);
  for (const s of [a, b, c, d]) await s.events.first((e) => e._seq === 5, 20_000);

  // An instance that has been serving for a while (the early-death case is the next test).
  await eventually(() => isRegistered(cluster, victim), 20_000, 'the victim to register its liveness');
  // The victim dies. From now on the clock for "offline within 30 s" runs.
  await victim.kill('SIGKILL');
  expect(victim.alive()).toBe(false);
  const offline = Promise.all([
    a.events.first((e) => e.type === 'user_left' && e.user_id === dave.id, OFFLINE_WITHIN_MS),
    b.events.first((e) => e.type === 'user_left' && e.user_id === dave.id, OFFLINE_WITHIN_MS),
    bDm.events.first((e) => e.type === 'dm_user_offline', OFFLINE_WITHIN_MS),
  ]);
  offline.catch(() => {});

  // While Carol is cut off: channel messages from A and B, and a DM to her (her own stream).
  const missed = [
    ...(await sendMany(via(alice, A), channel.id, 10, 5, (i) => `missed a${i}`)),
    ...(await sendMany(via(bob, B), channel.id, 10, 5, (i) => `missed b${i}`)),
  ].sort((x, y) => x.seq - y.seq);
  expect(missed.map((m) => m.seq)).toEqual(range(6, 25));
  const dm = await via(alice, B).dms.send.mutate({ user_id: carol.id, content: 'while you were away' });

  // Her client now reconnects to B and resumes from its last event id.
  carolWs.moveTo(B.url);
  await c.events.first((e) => e._seq === 25, 30_000);
  await cMe.events.first((e) => e.type === 'dm_message' && e.id === dm.id, 30_000);
  const live = await via(alice, A).messages.send.mutate({ channel_id: channel.id, content: 'live again' });
  await c.events.first((e) => e._seq === live.seq, 20_000);

  const log = await streamLog(cluster.database, `c:${channel.id}`);
  expect(log.map((e) => e.seq)).toEqual(range(1, 26));
  // Nothing lost, nothing twice, in order; the missed ones exactly as they were sent.
  expect(c.seqs()).toEqual(range(1, 26));
  expect(c.of('message').map(withoutSeq)).toEqual(log.map((e) => e.event));
  expect(c.of('message').slice(5, 25).map(withoutSeq)).toEqual(missed.map((m) => ({ type: 'message', ...m })));
  expect(
    c
      .of('message')
      .slice(0, 5)
      .map((m) => m.id),
  ).toEqual(before.map((m) => m.id));
  const own = await streamLog(cluster.database, `u:${carol.id}`);
  expect(cMe.seqs()).toEqual(own.map((e) => e.seq));
  expect(cMe.events.items.filter((e) => e._seq !== undefined).map(withoutSeq)).toEqual(own.map((e) => e.event));
  // The resubscription on B started with a fresh online_users that includes her.
  expect(c.of('online_users')).toHaveLength(2);
  expect(c.of('online_users')[1].users).toContain(carol.id);
  for (const s of [c, cMe]) expect(s.events.errors).toEqual([]);

  // Dave's client has nowhere to go: he is announced offline on the surviving instances.
  const [leftA, leftB, dmOffline] = await offline.catch((e) => {
    console.log('LOGS A', A.logs.join('\n'));
    console.log('LOGS B', B.logs.join('\n'));
    throw e;
  });
  expect(leftA).toEqual({ type: 'user_left', user_id: dave.id, username: dave.username, channel_id: channel.id });
  expect(leftB).toEqual(leftA);
  expect(dmOffline).toEqual({ type: 'dm_user_offline', user_id: dave.id, username: dave.username });
  await eventually(
    async () => {
      const members = await via(alice, B).groups.members.query({ group_id: group.id });
      return members.find((m) => m.user.id === dave.id)?.online === false && members.find((m) => m.user.id === carol.id)?.online === true;
    },
    20_000,
    'dave offline and carol online in groups.members',
  );
  // Announced once, not once per surviving instance.
  const barrier = await via(bob, B).messages.send.mutate({ channel_id: channel.id, content: 'barrier' });
  for (const s of [a, b]) await s.events.first((e) => e._seq === barrier.seq, 20_000);
  expect(a.of('user_left').filter((e) => e.user_id === dave.id)).toHaveLength(1);
  expect(bDm.of('dm_user_offline')).toHaveLength(1);
  // The survivors' own streams were untouched.
  for (const s of [a, b]) {
    expect(s.seqs()).toEqual(range(1, barrier.seq));
    expect(s.events.errors).toEqual([]);
  }
});

test('SIGKILL of an instance seconds after it became ready: its users still go offline within 30 s', async () => {
  // A crash loop looks like this: an instance comes up, takes connections, and dies at once.
  const young = await cluster.add();
  const [alice, erin] = (await users(A.url, 'alice', 'erin')) as [Registered, Registered];
  const { channel } = await groupWithChannel(alice, [erin]);
  const a = follow(closer.add(wsClient(A.url, alice.token)).api.realtime.channel, { channel_id: channel.id });
  const aDm = follow(closer.add(wsClient(B.url, alice.token)).api.realtime.dm, { user_id: erin.id });
  await a.events.first((e) => e.type === 'online_users');
  expect(await aDm.events.first(() => true, 20_000)).toMatchObject({ type: 'dm_user_offline', user_id: erin.id });

  const e = follow(closer.add(wsClient(young.url, erin.token, { retryDelayMs: () => 200 })).api.realtime.channel, {
    channel_id: channel.id,
  });
  await e.events.first((ev) => ev.type === 'online_users');
  await a.events.first((ev) => ev.type === 'user_joined' && ev.user_id === erin.id, 20_000);
  await aDm.events.first((ev) => ev.type === 'dm_user_online', 20_000);

  await young.kill('SIGKILL');
  const [left, presence] = await Promise.all([
    a.events.first((ev) => ev.type === 'user_left' && ev.user_id === erin.id, OFFLINE_WITHIN_MS),
    // Offline when Alice subscribed, online, then offline again.
    aDm.events.count((ev) => ev.type === 'dm_user_offline', 2, OFFLINE_WITHIN_MS),
  ]);
  expect(left).toEqual({ type: 'user_left', user_id: erin.id, username: erin.username, channel_id: channel.id });
  expect(presence[1]).toEqual({ type: 'dm_user_offline', user_id: erin.id, username: erin.username });
  expect(aDm.events.items.map((ev) => ev.type)).toEqual(['dm_user_offline', 'dm_user_online', 'dm_user_offline']);
  const members = await via(alice, A).groups.members.query({ group_id: channel.group_id });
  expect(members.find((m) => m.user.id === erin.id)?.online).toBe(false);
});
