import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  eventually,
  follow,
  gatedWsClient,
  groupWithChannel,
  metric,
  range,
  type Registered,
  sendMany,
  startTestServer,
  type TestServer,
  users,
} from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const subscriptions = () => metric(server.url, 'parley_subscriptions');

/**
 * Bob follows a channel with a stock client and has seen messages 1..3. `drop` breaks his socket
 * while his reconnection is held back; Alice sends 20 more; then he is let back in.
 */
async function missWhileAway(
  drop: (socket: WebSocket) => void,
  beforeDrop?: (ctx: { alice: Registered; channelId: string }) => Promise<void>,
) {
  const [alice, bob] = await users(server.url, 'alice', 'bob');
  const { channel } = await groupWithChannel(alice!, [bob!]);
  const client = closer.add(gatedWsClient(server.url, bob!.token));
  const sub = follow(client.api.realtime.channel, { channel_id: channel.id });
  await sub.events.first((e) => e.type === 'online_users');
  await sendMany(alice!.client, channel.id, 3, 1);
  await sub.events.until(() => sub.seqs().length === 3);
  await beforeDrop?.({ alice: alice!, channelId: channel.id });

  const before = await subscriptions();
  client.hold();
  const old = client.socket();
  const closed = new Promise<number>((resolve) => old.addEventListener('close', (e) => resolve(e.code)));
  drop(old);
  const code = await closed;
  await eventually(async () => (await subscriptions()) < before, 5000, 'the server to end the old subscription');

  const missed = await sendMany(alice!.client, channel.id, 20, 5);
  expect(missed.map((m) => m.seq)).toEqual(range(4, 23));
  client.release();
  await sub.events.until(() => sub.seqs().includes(23), 10_000, 'the missed messages');
  const live = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'live again' });
  await sub.events.first((e) => e._seq === live.seq);
  await client.api.auth.me.query();
  return { sub, code, missed, live };
}

describe('stock client reconnect', () => {
  test('after the client side drops the socket, wsLink resubscribes with its lastEventId and gets what it missed', async () => {
    const { sub, missed, live } = await missWhileAway((ws) => ws.close());
    expect(sub.seqs()).toEqual(range(1, 24));
    expect(
      sub
        .of('message')
        .slice(3, 23)
        .map(({ _seq, ...m }) => m),
    ).toEqual(missed.map((m) => ({ type: 'message', ...m })));
    expect(sub.of('message').at(-1)).toEqual({ type: 'message', ...live, _seq: 24 });
    // The resubscription starts over with online_users (ephemeral, not replayed).
    expect(sub.of('online_users')).toHaveLength(2);
    expect(sub.events.errors).toEqual([]);
  }, 30_000);

  test('after the server closes the socket (frame over 64 KiB -> 1009), it resumes the same way', async () => {
    const { sub, code } = await missWhileAway((ws) =>
      ws.send(JSON.stringify({ id: 99, method: 'query', params: { path: 'auth.me', input: 'x'.repeat(70_000) } })),
    );
    expect(code).toBe(1009);
    expect(sub.seqs()).toEqual(range(1, 24));
    expect(sub.events.errors).toEqual([]);
  }, 30_000);

  test('it resumes even when the last thing it received before the drop was ephemeral (typing)', async () => {
    // tRPC's client records `result.id` of every data frame as its resume point, so an untracked
    // frame after the last message must not make it forget where it was.
    const { sub } = await missWhileAway(
      (ws) => ws.close(),
      async ({ alice, channelId }) => {
        await alice.client.realtime.typing.mutate({ channel_id: channelId, is_typing: true });
        await alice.client.realtime.typing.mutate({ channel_id: channelId, is_typing: false });
      },
    );
    expect(sub.seqs()).toEqual(range(1, 24));
  }, 30_000);
});
