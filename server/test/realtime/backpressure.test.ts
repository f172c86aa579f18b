import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import { BACKPRESSURE_LIMIT } from '../../edges/websocket.ts';
import { wsClient } from '../helpers/clients.ts';
import { Closer, follow, groupWithChannel, metric, range, users, type Registered } from '../helpers/rt-fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TcpWebSocket } from '../helpers/tcp-ws.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  // RATE_LIMIT_MESSAGES is off on the test server: the sender can push as fast as it likes.
  server = await startTestServer();
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

/** Subscriptions the stalled socket holds on one channel: every message is queued for it this many times. */
const FAN = 100;
const BIG = 'x'.repeat(3900);

/** A hand-rolled WebSocket client on a raw TCP socket, so the test can stop reading from the kernel. */
async function stalledReader(token: string, channelId: string) {
  const ws = await TcpWebSocket.connect(`${server.wsUrl}?connectionParams=1`);
  ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  ws.send(
    JSON.stringify(
      range(1, FAN).map((id) => ({ id, method: 'subscription', params: { path: 'realtime.channel', input: { channel_id: channelId } } })),
    ),
  );
  const online = (items: string[]) => items.filter((t) => t.includes('"type":"online_users"')).length;
  await ws.frames.until((items) => online(items) === FAN, 10_000, 'all subscriptions live');
  return ws;
}

/**
 * Alice floods a channel with ~3.9 KB messages while a healthy stock client and a stalled raw
 * reader (FAN subscriptions on one socket) follow it, until the server drops the stalled socket.
 */
async function floodUntilDropped() {
  const [alice, healthyUser, slowUser] = (await users(server.url, 'alice', 'healthy', 'slow')) as [Registered, Registered, Registered];
  const { channel } = await groupWithChannel(alice, [healthyUser, slowUser]);

  const healthyWs = closer.add(wsClient(server.url, healthyUser.token));
  const healthy = follow(healthyWs.api.realtime.channel, { channel_id: channel.id });
  await healthy.events.first((e) => e.type === 'online_users');
  const slow = closer.add(await stalledReader(slowUser.token, channel.id));
  const sockets = () => metric(server.url, 'parley_ws_connections', 'protocol="trpc"');
  const withSlow = await sockets();
  const dropsBefore = await metric(server.url, 'parley_ws_abnormal_closures_total');

  slow.pause();
  let sent = 0;
  // Far more than the 1 MiB limit plus any kernel buffering is allowed before giving up.
  const maxMessages = Math.ceil((64 * 1024 * 1024) / (FAN * BIG.length));
  while ((await sockets()) >= withSlow) {
    if (sent >= maxMessages) throw new Error(`stalled reader still connected after ${sent} messages`);
    await Promise.all(range(1, 10).map(() => alice.client.messages.send.mutate({ channel_id: channel.id, content: BIG })));
    sent += 10;
    // The healthy subscriber keeps up while the stalled one is still connected.
    await healthy.events.until(() => healthy.seqs().includes(sent), 10_000, `message ${sent} on the healthy socket`);
  }
  return { alice, channelId: channel.id, healthy, healthyWs, slow, sent, dropsBefore };
}

test('a stalled reader is disconnected at the backpressure limit while a healthy subscriber gets everything in order', async () => {
  const { alice, channelId, healthy, healthyWs, slow, sent } = await floodUntilDropped();
  // Queued for it beyond the limit: the server cut it off rather than buffering without bound.
  expect(sent * FAN * BIG.length).toBeGreaterThan(BACKPRESSURE_LIMIT);

  // Once it reads again it finds the end of the stream: what it did get is an in-order prefix
  // of each subscription, with no holes, and less than was sent.
  slow.resume();
  await slow.closed;
  let delivered = 0;
  for (const id of range(1, FAN)) {
    const seqs = slow.frames.items
      .map((t) => JSON.parse(t))
      // Tracked frames only: their data is the `{ id, data }` envelope (ephemeral data is the bare event).
      .filter((f) => f.id === id && f.result?.id !== undefined && f.result.data?.id === f.result.id && 'data' in f.result.data)
      .map((f) => Number(f.result.id));
    expect(seqs).toEqual(range(1, seqs.length));
    delivered += seqs.length;
  }
  expect(delivered).toBeLessThan(sent * FAN);

  // The healthy subscriber was never dropped and has everything, in order, once.
  for (let i = 0; i < 5; i++) await alice.client.messages.send.mutate({ channel_id: channelId, content: `after ${i}` });
  const total = sent + 5;
  await healthy.events.until(() => healthy.seqs().includes(total), 20_000, 'every message on the healthy socket');
  await healthyWs.api.auth.me.query();
  expect(healthy.seqs()).toEqual(range(1, total));
  expect(
    healthy
      .of('message')
      .slice(0, sent)
      .every((m) => m.content === BIG),
  ).toBe(true);
  expect(healthy.events.errors).toEqual([]);
  expect(healthy.of('online_users')).toHaveLength(1);
}, 120_000);

test('the backpressure disconnect is counted on /metrics as a slow consumer', async () => {
  const { dropsBefore } = await floodUntilDropped();
  expect(await metric(server.url, 'parley_ws_abnormal_closures_total')).toBe(dropsBefore + 1);
}, 120_000);
