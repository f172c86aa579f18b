import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { CLOSE_CODES } from '../../../shared/close-codes.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { closedWithin } from '../helpers/gateway.ts';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, metric, users } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Issue 11, items 2, 7 and 12, and the per-socket subscription cap: what one WebSocket may cost the server. */
setDefaultTimeout(60_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 240_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const builders = () => metric(server.url, 'parley_ws_frame_builders');

describe('frame builders keyed by client-chosen subscription ids (item 2)', () => {
  test('ids over 128 characters are BAD_REQUEST; many subscribe/stop cycles with long ids leave nothing behind', async () => {
    const [alice] = await users(server.url, 'alice');
    const raw = closer.add(await RawSocket.open(server.url, { token: alice!.token }));

    const tooLong = 'x'.repeat(LIMITS.requestIdMaxChars);
    const from = raw.frames.items.length;
    raw.send({ id: tooLong, method: 'subscription', params: { path: 'realtime.me', input: {} } });
    const refusal = await raw.next(null, (j) => j.error !== undefined, from);
    expect(refusal.error.data.code).toBe('BAD_REQUEST');

    // Three live subscriptions with distinct ids hold three builders; stopping them frees them.
    for (const id of ['a', 'b', 'c']) expect((await raw.subscribe(id, 'realtime.me', {})).result).toEqual({ type: 'started' });
    expect(await builders()).toBe(3);
    for (const id of ['a', 'b', 'c']) raw.send({ id, method: 'subscription.stop' });
    await raw.barrier();
    expect(await builders()).toBe(0);

    // 400 cycles with ids just under the cap: the cache stays empty once each stops.
    const long = 'y'.repeat(LIMITS.requestIdMaxChars - 12);
    for (let i = 0; i < 400; i++) {
      const id = `${long}${i}`;
      const started = await raw.subscribe(id, 'realtime.me', {});
      expect(started.result).toEqual({ type: 'started' });
      raw.send({ id, method: 'subscription.stop' });
      if (i % 50 === 0) raw.frames.items.length = 0;
    }
    await raw.barrier();
    expect(await builders()).toBe(0);
  });

  test('one socket holds at most 100 subscriptions; the 101st is TOO_MANY_REQUESTS', async () => {
    const [alice] = await users(server.url, 'alice');
    const raw = closer.add(await RawSocket.open(server.url, { token: alice!.token }));
    const answers = await Promise.all(Array.from({ length: 101 }, (_, i) => raw.subscribe(i + 1, 'realtime.me', {})));
    const refused = answers.filter((a) => a.error);
    expect(refused.map((a) => a.error.data.code)).toEqual(['TOO_MANY_REQUESTS']);
    expect(answers.filter((a) => a.result?.type === 'started')).toHaveLength(LIMITS.wsSubscriptionsMax);
  });
});

describe('work in flight per socket (item 7)', () => {
  test('a 61 KiB frame of 700 messages.search calls: the excess is TOO_MANY_REQUESTS and another user is still served', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const flood = closer.add(await RawSocket.open(server.url, { token: alice!.token }));
    const other = closer.add(await RawSocket.open(server.url, { token: bob!.token }));
    const calls = Array.from({ length: 700 }, (_, i) => ({
      id: i,
      method: 'query',
      params: { path: 'messages.search', input: { query: `n${i % 10}` } },
    }));
    const frame = JSON.stringify(calls);
    expect(frame.length).toBeGreaterThan(50_000);
    expect(frame.length).toBeLessThan(LIMITS.wsFrameMaxBytes);
    flood.send(frame);
    // Another user's request is answered while the flood is being worked through.
    const me = await other.call('me', 'query', 'auth.me', undefined, 60_000);
    expect(me.result.data.id).toBe(bob!.id);
    await flood.frames.until((items) => items.filter((f) => typeof f.json?.id === 'number').length >= 700, 60_000, '700 answers');
    const answers = flood.frames.items.filter((f) => typeof f.json?.id === 'number').map((f) => f.json);
    const refused = answers.filter((a) => a.error?.data?.code === 'TOO_MANY_REQUESTS');
    expect(refused.length).toBe(700 - LIMITS.wsInFlightMax - LIMITS.wsQueuedMax);
    expect(answers.filter((a) => a.result).length).toBe(LIMITS.wsInFlightMax + LIMITS.wsQueuedMax);
  });

  test(`an HTTP batch of more than ${LIMITS.httpBatchMax} calls is refused`, async () => {
    const [alice] = await users(server.url, 'alice');
    const paths = Array(LIMITS.httpBatchMax + 1)
      .fill('auth.me')
      .join(',');
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1&input={}`, { headers: { authorization: `Bearer ${alice!.token}` } });
    expect(res.status).toBe(400);
    const ok = await fetch(`${server.url}/trpc/${Array(LIMITS.httpBatchMax).fill('auth.me').join(',')}?batch=1&input={}`, {
      headers: { authorization: `Bearer ${alice!.token}` },
    });
    expect(ok.status).toBe(200);
  });
});

describe('sockets that never authenticate (item 12)', () => {
  test('are closed after 10 s, with or without the connectionParams flag; an authenticated one stays', async () => {
    const [alice] = await users(server.url, 'alice');
    const anonymous = closer.add(await RawSocket.open(server.url));
    const silent = closer.add(await RawSocket.open(server.url, { path: '/trpc?connectionParams=1' }));
    const badToken = closer.add(await RawSocket.open(server.url, { token: 'not-a-token' }));
    const authed = closer.add(await RawSocket.open(server.url, { token: alice!.token }));
    const codes = await Promise.all([anonymous, silent, badToken].map((s) => closedWithin(s, (LIMITS.authTimeoutSeconds + 10) * 1000)));
    expect(codes.map((c) => c.code)).toEqual([CLOSE_CODES.authTimeout, CLOSE_CODES.authTimeout, CLOSE_CODES.authTimeout]);
    expect(authed.isOpen).toBe(true);
    expect((await authed.call(1, 'query', 'auth.me')).result.data.id).toBe(alice!.id);
  });
});
