import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { follow, groupWithChannel, users, useTestServer } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

const t = useTestServer();
const { device, disconnect } = t;
const isPresence = (e: any) => e.type === 'dm_user_online' || e.type === 'dm_user_offline';

describe('DM stream presence', () => {
  test('first event is the partner offline, then online/offline on each change of the whole user', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    // Presence is visible only to users who share a group or a conversation (CONTRACT.md v2).
    await groupWithChannel(alice!, [bob!]);
    const aliceWs = device(alice!);
    const a = follow(aliceWs.api.realtime.dm, { user_id: bob!.id });
    const first = await a.events.first(() => true);
    expect(first).toEqual({ type: 'dm_user_offline', user_id: bob!.id, username: bob!.username });

    const bob1 = device(bob!);
    const online = await a.events.first((e) => e.type === 'dm_user_online');
    expect(online).toEqual({ type: 'dm_user_online', user_id: bob!.id, username: bob!.username });
    await bob1.api.auth.me.query();

    // A second device of Bob changes nothing.
    const bob2 = device(bob!);
    await bob2.api.auth.me.query();
    await aliceWs.api.auth.me.query();
    expect(a.events.items.filter(isPresence).map((e) => e.type)).toEqual(['dm_user_offline', 'dm_user_online']);

    await disconnect(bob1);
    await aliceWs.api.auth.me.query();
    expect(a.events.items.filter(isPresence).map((e) => e.type)).toEqual(['dm_user_offline', 'dm_user_online']);

    await disconnect(bob2);
    await a.events.count((e) => e.type === 'dm_user_offline', 2);
    expect(a.events.items.filter(isPresence)).toEqual([
      { type: 'dm_user_offline', user_id: bob!.id, username: bob!.username },
      { type: 'dm_user_online', user_id: bob!.id, username: bob!.username },
      { type: 'dm_user_offline', user_id: bob!.id, username: bob!.username },
    ]);
  });

  test('first event is the partner online when they already are', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    await groupWithChannel(alice!, [bob!]);
    const bobWs = device(bob!);
    await bobWs.api.auth.me.query();
    const a = follow(device(alice!).api.realtime.dm, { user_id: bob!.id });
    const first = await a.events.first(() => true);
    expect(first).toEqual({ type: 'dm_user_online', user_id: bob!.id, username: bob!.username });
  });

  test('a DM stream with oneself is BAD_REQUEST, with an unknown user NOT_FOUND', async () => {
    const [alice] = await users(t.server.url, 'alice');
    const ws = device(alice!);
    const self = follow(ws.api.realtime.dm, { user_id: alice!.id });
    expect(((await self.events.error()) as any).data?.code).toBe('BAD_REQUEST');
    const nobody = follow(ws.api.realtime.dm, { user_id: crypto.randomUUID() });
    expect(((await nobody.events.error()) as any).data?.code).toBe('NOT_FOUND');
  });
});

describe('DM stream events', () => {
  test('dm_message reaches both sides tracked with the pair sequence; realtime.me gets it too', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const a = follow(device(alice!).api.realtime.dm, { user_id: bob!.id });
    const b = follow(device(bob!).api.realtime.dm, { user_id: alice!.id });
    // From the start of Bob's own stream: a live-only subscription can miss what is committed
    // between its `started` and its attach (see started.test.ts), which is not what this test is about.
    const bobMe = follow(device(bob!).api.realtime.me, { last_event_id: '0' });
    await a.events.first(isPresence);
    await b.events.first(isPresence);
    await bobMe.started;

    const m1 = await alice!.client.dms.send.mutate({ user_id: bob!.id, content: 'psst' });
    const m2 = await bob!.client.dms.send.mutate({ user_id: alice!.id, content: 'what' });
    expect(m1).toMatchObject({ seq: 1, sender_id: alice!.id, sender_username: alice!.username, recipient_id: bob!.id, content: 'psst' });
    expect(m2).toMatchObject({ seq: 2, sender_id: bob!.id, recipient_id: alice!.id, content: 'what' });
    const expected = [
      { type: 'dm_message', ...m1, _seq: 1 },
      { type: 'dm_message', ...m2, _seq: 2 },
    ];
    for (const s of [a, b]) {
      await s.events.count((e) => e.type === 'dm_message', 2);
      expect(s.of('dm_message')).toEqual(expected);
    }

    const own = await bobMe.events.first((e) => e.type === 'dm_message' && e.id === m1.id);
    const { _seq, ...event } = own;
    expect(event).toEqual({ type: 'dm_message', ...m1 });
    expect(_seq).toBeGreaterThan(0);
    // Bob's own stream is tracked with its own increasing sequence.
    await bobMe.events.count((e) => e.type === 'dm_message', 2);
    const seqs = bobMe.seqs();
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  test('dm_typing is relayed to the partner', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const b = follow(device(bob!).api.realtime.dm, { user_id: alice!.id });
    await b.events.first(isPresence);
    await alice!.client.realtime.dmTyping.mutate({ user_id: bob!.id, is_typing: true });
    await alice!.client.realtime.dmTyping.mutate({ user_id: bob!.id, is_typing: false });
    await b.events.count((e) => e.type === 'dm_typing', 2);
    expect(b.of('dm_typing')).toEqual([
      { type: 'dm_typing', user_id: alice!.id, username: alice!.username, is_typing: true },
      { type: 'dm_typing', user_id: alice!.id, username: alice!.username, is_typing: false },
    ]);
  });

  test('a dm_typing true never followed by false is ended by the server', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const b = follow(device(bob!).api.realtime.dm, { user_id: alice!.id });
    await b.events.first(isPresence);
    await alice!.client.realtime.dmTyping.mutate({ user_id: bob!.id, is_typing: true });
    const ended = await b.events.first((e) => e.type === 'dm_typing' && e.is_typing === false, 15_000);
    expect(ended).toEqual({ type: 'dm_typing', user_id: alice!.id, username: alice!.username, is_typing: false });
    expect(b.of('dm_typing').map((e) => e.is_typing)).toEqual([true, false]);
  }, 20_000);

  test('WebRTC offer, answer and ICE candidate over a DM reach only the partner, from the server-set sender', async () => {
    const [alice, bob] = await users(t.server.url, 'alice', 'bob');
    const aliceWs = device(alice!);
    const bobWs = device(bob!);
    const a = follow(aliceWs.api.realtime.dm, { user_id: bob!.id });
    const b = follow(bobWs.api.realtime.dm, { user_id: alice!.id });
    await a.events.first(isPresence);
    await b.events.first(isPresence);

    const offer = { sdp: 'v=0 offer', type: 'offer' };
    await aliceWs.api.realtime.signal.mutate({ user_id: bob!.id, type: 'offer', data: offer });
    const got = await b.events.first((e) => e.type === 'webrtc_offer');
    expect(got).toEqual({ type: 'webrtc_offer', from_user_id: alice!.id, from_username: alice!.username, data: offer });

    const answer = { sdp: 'v=0 answer', type: 'answer' };
    const candidate = { candidate: 'candidate:1 1 UDP 2122252543 10.0.0.1 5000 typ host', sdpMLineIndex: 0 };
    await bobWs.api.realtime.signal.mutate({ user_id: alice!.id, target_user_id: alice!.id, type: 'answer', data: answer });
    await bobWs.api.realtime.signal.mutate({ user_id: alice!.id, type: 'ice_candidate', data: candidate });
    await a.events.count((e) => e.type.startsWith('webrtc_'), 2);
    expect(a.events.items.filter((e) => e.type.startsWith('webrtc_'))).toEqual([
      { type: 'webrtc_answer', from_user_id: bob!.id, from_username: bob!.username, data: answer },
      { type: 'webrtc_ice_candidate', from_user_id: bob!.id, from_username: bob!.username, data: candidate },
    ]);
    // The sender never gets its own signal back.
    await aliceWs.api.auth.me.query();
    await bobWs.api.auth.me.query();
    expect(b.events.items.filter((e) => e.type.startsWith('webrtc_'))).toHaveLength(1);
  });
});
