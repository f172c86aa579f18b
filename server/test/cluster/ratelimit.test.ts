import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { failure, groupWithChannel, httpClient, range, type Registered, users } from '../helpers/fixtures.ts';
import { startCluster, streamLog, type Cluster, type Instance } from '../helpers/cluster.ts';

/** RATE_LIMIT_MESSAGES is one limit per user for the whole cluster, not one per instance. */

setDefaultTimeout(60_000);

let cluster: Cluster;
let instances: Instance[];
beforeAll(async () => {
  cluster = await startCluster({ instances: 3, env: { RATE_LIMIT_MESSAGES: '20/10s' } });
  instances = cluster.instances;
}, 120_000);
afterAll(() => cluster?.stop(), 60_000);

test('20/10s holds across instances: 30 quick sends spread over 3 instances give exactly 20 accepted and 10 TOO_MANY_REQUESTS', async () => {
  const [alice, bob] = (await users(instances[0]!.url, 'alice', 'bob')) as [Registered, Registered];
  const { channel } = await groupWithChannel(alice, [bob]);
  const clients = instances.map((i) => httpClient(i.url, alice.token));

  // All at once, round-robin over the instances (each instance alone would allow 20).
  const results = await Promise.allSettled(
    range(0, 29).map((i) => clients[i % 3]!.messages.send.mutate({ channel_id: channel.id, content: `burst ${i}` })),
  );
  const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = await Promise.all(results.flatMap((r) => (r.status === 'rejected' ? [failure(Promise.reject(r.reason))] : [])));
  expect(accepted).toHaveLength(20);
  expect(refused.map((e) => e.code)).toEqual(Array(10).fill('TOO_MANY_REQUESTS'));
  for (const e of refused) {
    expect(e.httpStatus).toBe(429);
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(10);
  }
  // Refused sends were not persisted; accepted ones were, gap-free.
  const log = await streamLog(cluster.database, `c:${channel.id}`);
  expect(log.map((e) => e.seq)).toEqual(range(1, 20));
  expect(log.map((e) => e.event.id).sort()).toEqual(accepted.map((m) => m.id).sort());

  // Any instance keeps refusing Alice now; the limit is hers alone (Bob sends fine on every instance).
  for (const i of instances) {
    expect((await failure(httpClient(i.url, alice.token).messages.send.mutate({ channel_id: channel.id, content: 'again' }))).code).toBe(
      'TOO_MANY_REQUESTS',
    );
    const ok = await httpClient(i.url, bob.token).messages.send.mutate({ channel_id: channel.id, content: `bob via ${i.index}` });
    expect(ok.sender_id).toBe(bob.id);
  }
});
