import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  eventually,
  follow,
  type Followed,
  groupWithChannel,
  httpClient,
  range,
  type Registered,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { readyz, startCluster, streamLog, type Cluster, type Instance } from '../helpers/cluster.ts';
import { RedisServer } from '../helpers/redis-server.ts';

/**
 * Redis is only the fan-out: while it is down, instances keep accepting and persisting
 * messages, report the degradation on /readyz, and once it is back every subscriber on every
 * instance gets every acknowledged message exactly once, in order (gaps are filled from the
 * database). Runs against a private redis-server that the test stops and restarts.
 */

setDefaultTimeout(120_000);

let redis: RedisServer;
let cluster: Cluster;
let A: Instance, B: Instance, C: Instance;
const closer = new Closer();
beforeAll(async () => {
  redis = await RedisServer.start();
  cluster = await startCluster({ instances: 3, redisUrl: redis.url });
  [A, B, C] = cluster.instances as [Instance, Instance, Instance];
}, 120_000);
afterEach(() => closer.closeAll());
afterAll(async () => {
  // The cluster's own cleanup deletes its keys; it needs Redis up for that.
  await redis?.start();
  await cluster?.stop();
  await redis?.stop();
}, 60_000);

type Sent = Awaited<ReturnType<ReturnType<typeof httpClient>['messages']['send']['mutate']>>;

/** Sends messages one after another until `stop()`; keeps what was acknowledged and what failed. */
function sender(user: Registered, instance: Instance, channelId: string) {
  const api = httpClient(instance.url, user.token);
  const acked: Sent[] = [];
  const failed: unknown[] = [];
  let stopped = false;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      try {
        acked.push(await api.messages.send.mutate({ channel_id: channelId, content: `${user.username} #${i}`, nonce: `${user.id}-${i}` }));
      } catch (err) {
        failed.push(err);
      }
    }
  })();
  return {
    acked,
    failed,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const allReadyz = () => Promise.all([A, B, C].map((i) => readyz(i.url)));

test('a Redis outage during a send burst: every acknowledged message reaches every subscriber once, in order; /readyz reports it', async () => {
  const [alice, bob, carol, dave] = (await users(A.url, 'alice', 'bob', 'carol', 'dave')) as [
    Registered,
    Registered,
    Registered,
    Registered,
  ];
  const { channel } = await groupWithChannel(alice, [bob, carol, dave]);
  const watch = async (user: Registered, instance: Instance): Promise<Followed> => {
    const sub = follow(closer.add(wsClient(instance.url, user.token)).api.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    return sub;
  };
  const subs = await Promise.all([watch(alice, A), watch(bob, B), watch(carol, C), watch(dave, A)]);

  const senders = [sender(alice, A, channel.id), sender(bob, B, channel.id), sender(carol, C, channel.id)];
  const ackedCount = () => senders.reduce((n, s) => n + s.acked.length, 0);
  const moreAcked = async (n: number, what: string) => {
    const target = ackedCount() + n;
    await eventually(() => ackedCount() >= target, 30_000, what);
  };
  try {
    await moreAcked(30, 'the burst to get going');
    expect((await allReadyz()).map((r) => r.status)).toEqual([200, 200, 200]);

    await redis.stop();
    // Every instance notices and says so; sending goes on meanwhile.
    await eventually(async () => (await allReadyz()).every((r) => r.status === 503), 20_000, 'every /readyz to report the outage');
    for (const r of await allReadyz()) {
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ status: 'degraded', checks: { database: 'ok', bus: 'down' } });
    }
    await moreAcked(150, 'sends to go on during the outage');

    await redis.start();
    await eventually(async () => (await allReadyz()).every((r) => r.status === 200), 30_000, 'every /readyz to recover');
    for (const r of await allReadyz()) expect(r.body).toEqual({ status: 'ready', checks: { database: 'ok', bus: 'ok' } });
    await moreAcked(30, 'sends after the recovery');
  } finally {
    await Promise.all(senders.map((s) => s.stop()));
  }

  // Nothing was refused: Redis is not on the write path.
  expect(senders.map((s) => s.failed.map(String))).toEqual([[], [], []]);
  const acked = senders.flatMap((s) => s.acked).sort((x, y) => x.seq - y.seq);
  const last = await httpClient(B.url, bob.token).messages.send.mutate({ channel_id: channel.id, content: 'the end' });
  const total = acked.length + 1;
  expect(acked.map((m) => m.seq)).toEqual(range(1, total - 1));
  expect(last.seq).toBe(total);

  const log = await streamLog(cluster.database, `c:${channel.id}`);
  expect(log.map((e) => e.seq)).toEqual(range(1, total));
  for (const m of acked) expect(log[m.seq - 1]!.event).toEqual({ type: 'message', ...m });
  for (const s of subs) {
    await s.events.first((e) => e._seq === total, 30_000);
    expect(s.seqs()).toEqual(range(1, total));
    expect(s.of('message').map(({ _seq, ...e }) => e)).toEqual(log.map((e) => e.event));
    expect(s.events.errors).toEqual([]);
  }

  // Live fan-out works again both ways (not only through the gap filling).
  const typing = await httpClient(C.url, carol.token).realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
  expect(typing).toEqual({ ok: true });
  for (const s of subs) await s.events.first((e) => e.type === 'typing' && e.user_id === carol.id, 20_000);

  // The restarted Redis came back empty: presence was re-registered by the instances.
  const erin = (await users(B.url, 'erin'))[0]!;
  await httpClient(A.url, alice.token).groups.addMember.mutate({ group_id: channel.group_id, user_id: erin.id });
  const late = await watch(erin, B);
  expect([...late.of('online_users')[0].users].sort()).toEqual([alice.id, bob.id, carol.id, dave.id, erin.id].sort());
});
