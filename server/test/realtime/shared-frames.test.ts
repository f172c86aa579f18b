import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  follow,
  groupWithChannel,
  range,
  type Registered,
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

interface Sub {
  raw: RawSocket;
  id: string | number;
  jsonrpc: boolean;
  from?: number;
}

test('subscribers sharing an id and subscribers with their own ids all get identical, correct frames', async () => {
  const [alice, bob, carol] = (await users(server.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
  const { channel } = await groupWithChannel(alice, [bob, carol]);
  const first = await alice.client.messages.send.mutate({ channel_id: channel.id, content: 'before anyone listened' });

  const open = async (user: Registered) => closer.add(await RawSocket.open(server.url, { token: user.token }));
  const [s1, s2, s3, s4, s5, s6, s7] = [
    await open(bob),
    await open(carol),
    await open(alice),
    await open(bob),
    await open(carol),
    await open(bob),
    await open(carol),
  ];
  const subs: Sub[] = [
    // The same id on three sockets: one shared topic frame.
    { raw: s1!, id: 1, jsonrpc: false },
    { raw: s2!, id: 1, jsonrpc: false },
    { raw: s3!, id: 1, jsonrpc: false },
    // Their own ids, including two subscriptions on one socket.
    { raw: s4!, id: 7, jsonrpc: false },
    { raw: s4!, id: 'abc', jsonrpc: false },
    { raw: s5!, id: 'x"y', jsonrpc: false },
    // Same id but jsonrpc 2.0 framing: must not share the plain frame.
    { raw: s6!, id: 1, jsonrpc: true },
    // Same id, resuming: its backlog goes one by one, then it joins the shared frame.
    { raw: s2!, id: 2, jsonrpc: false, from: 0 },
    // The shared id, resuming: served one by one until caught up, then through the same topic.
    { raw: s7!, id: 1, jsonrpc: false, from: 0 },
  ];
  for (const s of subs) {
    s.raw.send({
      id: s.id,
      ...(s.jsonrpc && { jsonrpc: '2.0' }),
      method: 'subscription',
      params: {
        path: 'realtime.channel',
        input: { channel_id: channel.id, ...(s.from !== undefined && { last_event_id: String(s.from) }) },
      },
    });
  }
  for (const s of subs) await s.raw.frames.until(() => s.raw.data(s.id).some((f) => f.json.result.data?.type === 'online_users'));

  const stock = closer.add(wsClient(server.url, bob.token));
  const viaStock = follow(stock.api.realtime.channel, { channel_id: channel.id });
  await viaStock.events.first((e) => e.type === 'online_users');

  const sent = [first];
  for (let i = 0; i < 5; i++)
    sent.push(await alice.client.messages.send.mutate({ channel_id: channel.id, content: `shared ${i} "quoted" \u00e9` }));
  await alice.client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
  const last = sent.at(-1)!.seq;
  for (const s of subs) await s.raw.frames.until(() => s.raw.data(s.id).some((f) => f.json.result.data?.type === 'typing'));
  for (const raw of [s1, s2, s3, s4, s5, s6, s7]) await raw!.barrier();

  const eventJson = new Map<number, string>();
  for (const s of subs) {
    const idJson = JSON.stringify(s.id);
    const head = s.jsonrpc ? `{"id":${idJson},"jsonrpc":"2.0","result":{"type":"data",` : `{"id":${idJson},"result":{"type":"data",`;
    const tracked = s.raw.data(s.id).filter((f) => f.json.result.data?.id === f.json.result.id && 'data' in (f.json.result.data ?? {}));
    const expectedSeqs = s.from === undefined ? range(2, last) : range(s.from + 1, last);
    expect(tracked.map((f) => Number(f.json.result.id))).toEqual(expectedSeqs);
    for (const f of tracked) {
      const seq = Number(f.json.result.id);
      const prefix = `${head}"id":"${seq}","data":{"id":"${seq}","data":`;
      expect(f.text.startsWith(prefix)).toBe(true);
      expect(f.text.endsWith('}}}')).toBe(true);
      const inner = f.text.slice(prefix.length, -3);
      // The event bytes are the same for every subscriber, whatever its id or state.
      if (!eventJson.has(seq)) eventJson.set(seq, inner);
      expect(inner).toBe(eventJson.get(seq)!);
      expect(JSON.parse(inner)).toEqual({ type: 'message', ...sent.find((m) => m.seq === seq)! });
      expect(f.json.result.data.id).toBe(String(seq));
    }
    // Ephemeral events: not tracked (the event directly under data), but stamped with the
    // subscriber's position so a stock client that saw it last still resumes from `last`.
    const typing = s.raw.data(s.id).filter((f) => f.json.result.data?.type === 'typing');
    expect(typing).toHaveLength(1);
    expect(typing[0]!.text).toBe(
      `${head}"id":"${last}","data":${JSON.stringify({ type: 'typing', user_id: alice.id, username: alice.username, is_typing: true, channel_id: channel.id })}}}`,
    );
  }

  // Subscribers with the same id and the same state received byte-identical frames.
  const frames = (s: Sub) =>
    s.raw
      .data(s.id)
      .filter((f) => f.json.result.data?.id === f.json.result.id)
      .map((f) => f.text);
  expect(frames(subs[1]!)).toEqual(frames(subs[0]!));
  expect(frames(subs[2]!)).toEqual(frames(subs[0]!));
  expect(frames(subs[6]!)).not.toEqual(frames(subs[0]!));
  expect(frames(subs[8]!).slice(1)).toEqual(frames(subs[0]!));

  // A stock client reads the same events back as `{ id, data }`.
  await viaStock.events.until(() => viaStock.seqs().includes(last));
  expect(viaStock.of('message')).toEqual(sent.slice(1).map((m) => ({ type: 'message', ...m, _seq: m.seq })));
});

test('a socket leaving a shared frame does not disturb the others sharing it', async () => {
  const [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  const { channel } = await groupWithChannel(alice, [bob]);
  const a = closer.add(await RawSocket.open(server.url, { token: bob.token }));
  const b = closer.add(await RawSocket.open(server.url, { token: bob.token }));
  for (const raw of [a, b]) expect((await raw.joinChannel(1, channel.id)).result.type).toBe('started');
  const m1 = await alice.client.messages.send.mutate({ channel_id: channel.id, content: 'one' });
  for (const raw of [a, b]) await raw.frames.until(() => raw.tracked(1).some(([s]) => s === m1.seq));

  a.send({ id: 1, method: 'subscription.stop' });
  await a.next(1, (j) => j.result?.type === 'stopped');
  const m2 = await alice.client.messages.send.mutate({ channel_id: channel.id, content: 'two' });
  await b.frames.until(() => b.tracked(1).some(([s]) => s === m2.seq));
  await a.barrier();
  expect(a.tracked(1).map(([s]) => s)).toEqual([m1.seq]);
  expect(b.tracked(1).map(([s]) => s)).toEqual([m1.seq, m2.seq]);

  // Re-subscribing with the same id on the same socket rejoins cleanly (no double delivery).
  expect((await a.joinChannel(1, channel.id)).result.type).toBe('started');
  const m3 = await alice.client.messages.send.mutate({ channel_id: channel.id, content: 'three' });
  for (const raw of [a, b]) await raw.frames.until(() => raw.tracked(1).some(([s]) => s === m3.seq));
  await a.barrier();
  await b.barrier();
  expect(a.tracked(1).map(([s]) => s)).toEqual([m1.seq, m3.seq]);
  expect(b.tracked(1).map(([s]) => s)).toEqual([m1.seq, m2.seq, m3.seq]);
});
