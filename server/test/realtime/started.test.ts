import { expect, setDefaultTimeout, test } from 'bun:test';
import { eventually, follow, metric, register, startTestServer, wsClient } from '../helpers/fixtures.ts';

setDefaultTimeout(180_000);

/**
 * `started` is what a tRPC client takes as "the subscription is live" (`onStarted`), and the
 * only such signal on realtime.me, whose stream has no prelude. A live-only subscriber must
 * therefore get every durable event committed after its `started` arrived.
 *
 * The window this guards against is widest on a node whose database is cold (fresh database,
 * fresh pool: the first queries on new backend connections are slow while later ones can run on
 * a warm connection first), so every round starts a fresh server. PGlite runs queries one at a
 * time in issue order and starts slowly, so one round there.
 */
const ROUNDS = process.env.DATABASE_URL ? 20 : 1;
const isPresence = (e: any) => e.type === 'dm_user_online' || e.type === 'dm_user_offline';

test('a live-only realtime.me subscription gets every event committed after its started arrived', async () => {
  const missed: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startTestServer();
    const clients: Array<{ close(): unknown }> = [];
    try {
      const [alice, bob] = await Promise.all([register(server.url, 'alice'), register(server.url, 'bob')]);
      const [aliceWs, bobWs, bobPhone] = [
        wsClient(server.url, alice.token),
        wsClient(server.url, bob.token),
        wsClient(server.url, bob.token),
      ];
      clients.push(aliceWs, bobWs, bobPhone);
      const a = follow(aliceWs.api.realtime.dm, { user_id: bob.id });
      const b = follow(bobWs.api.realtime.dm, { user_id: alice.id });
      const me = follow(bobPhone.api.realtime.me, undefined);
      await a.events.first(isPresence);
      await b.events.first(isPresence);
      await me.started;

      const first = await alice.client.dms.send.mutate({ user_id: bob.id, content: `round ${round} first` });
      const second = await bob.client.dms.send.mutate({ user_id: alice.id, content: `round ${round} second` });
      // All three subscriptions of this fresh server are attached once its gauge shows them.
      await eventually(async () => (await metric(server.url, 'parley_subscriptions')) === 3, 10_000, 'the attach');
      const third = await alice.client.dms.send.mutate({ user_id: bob.id, content: `round ${round} third` });
      await me.events.first((e) => e.id === third.id, 10_000);
      await bobPhone.api.auth.me.query();

      const got = me.of('dm_message').map((e) => e.id);
      for (const m of [first, second]) if (!got.includes(m.id)) missed.push(m.content);
      expect(got.filter((id) => id === third.id)).toHaveLength(1);
      // The DM streams themselves announce they are live (their first event), and got everything.
      for (const s of [a, b]) expect(s.of('dm_message').map((e) => e.id)).toEqual([first.id, second.id, third.id]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.stop();
    }
  }
  expect(missed).toEqual([]);
});
