import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  follow,
  type Followed,
  groupWithChannel,
  history,
  range,
  type Registered,
  sendMany,
  startTestServer,
  type TestServer,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { RawSocket } from '../helpers/raw.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const device = (user: Registered) => closer.add(wsClient(server.url, user.token));

/** Waits until `sub` has `last`, then (after a round trip on its socket) returns its tracked sequences. */
async function seqsUpTo(sub: Followed, last: number, barrier: () => Promise<unknown>, timeoutMs = 20_000) {
  await sub.events.until((items) => items.some((e) => e._seq === last), timeoutMs, `seq ${last}`);
  await barrier();
  return sub.seqs();
}

describe('resume after a disconnect', () => {
  test('500 missed messages are replayed exactly, in order, under both spellings of the last event id, then live', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    const before = device(bob!);
    const live = follow(before.api.realtime.channel, { channel_id: channel.id });
    await live.events.first((e) => e.type === 'online_users');
    await sendMany(alice!.client, channel.id, 3);
    await live.events.count((e) => e.type === 'message', 3);
    const last = live.seqs().at(-1)!;
    expect(live.seqs()).toEqual([1, 2, 3]);
    await before.close();

    const missed = await sendMany(alice!.client, channel.id, 500);
    expect(missed.map((m) => m.seq)).toEqual(range(last + 1, last + 500));

    const viaContract = device(bob!);
    const viaTrpc = device(bob!);
    const a = follow(viaContract.api.realtime.channel, { channel_id: channel.id, last_event_id: String(last) });
    const b = follow(viaTrpc.api.realtime.channel, { channel_id: channel.id, lastEventId: String(last) });
    const raw = closer.add(await RawSocket.open(server.url, { token: bob!.token }));
    expect((await raw.subscribe(1, 'realtime.channel', { channel_id: channel.id }, { lastEventId: String(last) })).result).toEqual({
      type: 'started',
    });

    const end = last + 500;
    const expected = range(last + 1, end);
    expect(await seqsUpTo(a, end, () => viaContract.api.auth.me.query())).toEqual(expected);
    expect(await seqsUpTo(b, end, () => viaTrpc.api.auth.me.query())).toEqual(expected);
    await raw.frames.until(() => raw.tracked(1).some(([s]) => s === end), 20_000, 'raw replay');
    await raw.barrier();
    expect(raw.tracked(1).map(([s]) => s)).toEqual(expected);

    // The replayed events are the messages themselves, and online_users still came first.
    for (const s of [a, b]) {
      expect(s.events.items[0].type).toBe('online_users');
      expect(s.of('message').map(({ _seq, ...m }) => m)).toEqual(missed.map((m) => ({ type: 'message', ...m })));
    }
    expect(raw.tracked(1).map(([, e]) => e)).toEqual(missed.map((m) => ({ type: 'message', ...m })));

    // Then live.
    const next = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'live' });
    expect(next.seq).toBe(end + 1);
    for (const s of [a, b]) expect((await s.events.first((e) => e._seq === end + 1)).content).toBe('live');
    await raw.frames.until(() => raw.tracked(1).some(([s]) => s === end + 1));
  }, 60_000);

  test('more than 1000 missed: resync_required with the latest sequence, then live; exactly 1000 are still replayed', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    await sendMany(alice!.client, channel.id, 2);
    await sendMany(alice!.client, channel.id, 1001, 50);
    const latest = 1003;

    const tooFar = device(bob!);
    const resync = follow(tooFar.api.realtime.channel, { channel_id: channel.id, last_event_id: '2' });
    const edge = device(bob!);
    const replay = follow(edge.api.realtime.channel, { channel_id: channel.id, last_event_id: '3' });

    const marker = await resync.events.first((e) => e.type === 'resync_required', 20_000);
    expect(marker).toEqual({ type: 'resync_required', latest_seq: latest });
    expect(resync.events.items.map((e) => e.type)).toEqual(['online_users', 'resync_required']);

    expect(await seqsUpTo(replay, latest, () => edge.api.auth.me.query())).toEqual(range(4, latest));

    const next = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: 'after resync' });
    const got = await resync.events.first((e) => e.type === 'message');
    expect(got).toEqual({ type: 'message', ...next, _seq: latest + 1 });
    await tooFar.api.auth.me.query();
    expect(resync.seqs()).toEqual([latest + 1]);
  }, 60_000);

  test('DM streams and the own stream resume too', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const first = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'one' });
    const missed = [];
    for (let i = 0; i < 30; i++) missed.push(await alice!.client.dms.send.mutate({ user_id: bob!.id, content: `dm ${i}` }));

    const ws = device(bob!);
    const dm = follow(ws.api.realtime.dm, { user_id: alice!.id, last_event_id: String(first.seq) });
    expect(await seqsUpTo(dm, first.seq + 30, () => ws.api.auth.me.query())).toEqual(range(first.seq + 1, first.seq + 30));
    expect(dm.of('dm_message').map(({ _seq, ...m }) => m)).toEqual(missed.map((m) => ({ type: 'dm_message', ...m })));

    // Bob's own stream: replay everything after his first own event.
    const me = follow(ws.api.realtime.me, { last_event_id: '1' });
    await me.events.count((e) => e.type === 'dm_message', 30);
    await ws.api.auth.me.query();
    expect(me.of('dm_message').map((e) => e.content)).toEqual(missed.map((m) => m.content));
    expect(me.seqs()).toEqual(range(2, 31));
    expect(dm.events.items[0]).toEqual({ type: 'dm_user_offline', user_id: alice!.id, username: alice!.username });

    // tRPC's own spelling on the raw wire, with no input at all (realtime.me's input is optional).
    const raw = closer.add(await RawSocket.open(server.url, { token: bob!.token }));
    expect((await raw.subscribe(1, 'realtime.me', undefined, { lastEventId: '21' })).result.type).toBe('started');
    await raw.frames.until(() => raw.tracked(1).some(([s]) => s === 31));
    await raw.barrier();
    expect(raw.tracked(1).map(([s]) => s)).toEqual(range(22, 31));
    expect(raw.tracked(1).map(([, e]) => e.content)).toEqual(missed.slice(20).map((m) => m.content));
  });
});

describe('subscribing while sends are in flight', () => {
  test('resumers and live subscribers that start mid-burst lose and duplicate nothing', async () => {
    const [alice, bob] = await users(server.url, 'alice', 'bob');
    const { channel } = await groupWithChannel(alice!, [bob!]);
    await sendMany(alice!.client, channel.id, 5);

    const workers = 6;
    const perWorker = 50;
    const total = 5 + workers * perWorker;
    let acked = 0;
    let maxAcked = 5;
    const waiters: Array<[number, () => void]> = [];
    const whenAcked = (n: number) => new Promise<void>((resolve) => waiters.push([n, resolve]));
    const burst = Promise.all(
      range(1, workers).map(async (w) => {
        for (let i = 0; i < perWorker; i++) {
          const m = await alice!.client.messages.send.mutate({ channel_id: channel.id, content: `w${w}-${i}` });
          acked++;
          maxAcked = Math.max(maxAcked, m.seq);
          for (const [n, resolve] of waiters) if (acked >= n) resolve();
        }
      }),
    );

    // Each starts at a different point of the burst; the first one creates the node's stream state.
    const starters: Array<{ sub: Followed; ws: ReturnType<typeof device>; from: number | null }> = [];
    for (const at of [10, 60, 120, 180, 240]) {
      await whenAcked(at);
      const resumeAt = starters.length % 2 === 0 ? 5 : maxAcked;
      const ws = device(bob!);
      starters.push({
        ws,
        from: resumeAt,
        sub: follow(ws.api.realtime.channel, { channel_id: channel.id, last_event_id: String(resumeAt) }),
      });
      const liveWs = device(bob!);
      starters.push({ ws: liveWs, from: null, sub: follow(liveWs.api.realtime.channel, { channel_id: channel.id }) });
    }
    await burst;
    expect(acked).toBe(workers * perWorker);

    const stored = await history(alice!.client, channel.id);
    expect(stored.map((m) => m.seq)).toEqual(range(1, total));
    const byId = new Map(stored.map((m) => [m.seq, m.id]));

    for (const { sub, ws, from } of starters) {
      const seqs = await seqsUpTo(sub, total, () => ws.api.auth.me.query());
      if (from !== null) expect(seqs).toEqual(range(from + 1, total));
      else {
        // A live-only subscriber gets a gapless, duplicate-free run ending at the last message.
        expect(seqs.length).toBeGreaterThan(0);
        expect(seqs).toEqual(range(seqs[0]!, total));
      }
      for (const m of sub.of('message')) expect(m.id).toBe(byId.get(m._seq)!);
    }
  }, 60_000);
});
