import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import {
  Closer,
  errorCode,
  follow,
  type Followed,
  type Registered,
  startTestServer,
  type TestServer,
  users,
  wsClient,
} from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered, carol: Registered, mallory: Registered;
let voice: Channel, video: Channel, text: Channel;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol, mallory] = (await users(server.url, 'alice', 'bob', 'carol', 'mallory')) as [
    Registered,
    Registered,
    Registered,
    Registered,
  ];
  const group = await alice.client.groups.create.mutate({ name: 'calls' });
  for (const m of [bob, carol]) await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: m.id });
  voice = await alice.client.channels.create.mutate({ group_id: group.id, name: 'voice', type: 'VOICE' });
  video = await alice.client.channels.create.mutate({ group_id: group.id, name: 'video', type: 'VIDEO' });
  text = await alice.client.channels.create.mutate({ group_id: group.id, name: 'text', type: 'TEXT' });
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const device = (user: Registered) => closer.add(wsClient(server.url, user.token));
const signals = (s: Followed) => s.events.items.filter((e) => typeof e.type === 'string' && e.type.startsWith('webrtc_'));

/** Subscribes `user` to `channel` on a fresh device and waits until they are present on it. */
async function join(user: Registered, channel: Channel) {
  const ws = device(user);
  const sub = follow(ws.api.realtime.channel, { channel_id: channel.id });
  await sub.events.first((e) => e.type === 'online_users');
  return { ws, sub };
}

describe('channel signalling', () => {
  test('offer, answer and ICE candidate are delivered to the target only, in VOICE and VIDEO channels', async () => {
    for (const channel of [voice, video]) {
      const a = await join(alice, channel);
      const b = await join(bob, channel);
      const c = await join(carol, channel);
      const offer = { type: 'offer', sdp: `v=0 ${channel.type}` };
      expect(await a.ws.api.realtime.signal.mutate({ channel_id: channel.id, target_user_id: bob.id, type: 'offer', data: offer })).toEqual(
        {
          ok: true,
        },
      );
      const got = await b.sub.events.first((e) => e.type === 'webrtc_offer');
      expect(got).toEqual({
        type: 'webrtc_offer',
        from_user_id: alice.id,
        from_username: alice.username,
        channel_id: channel.id,
        data: offer,
      });

      const answer = { type: 'answer', sdp: 'v=0 answer' };
      const ice = { candidate: 'candidate:0 1 UDP 1 192.0.2.1 9 typ host', sdpMid: '0' };
      await b.ws.api.realtime.signal.mutate({ channel_id: channel.id, target_user_id: alice.id, type: 'answer', data: answer });
      await b.ws.api.realtime.signal.mutate({ channel_id: channel.id, target_user_id: alice.id, type: 'ice_candidate', data: ice });
      await a.sub.events.count((e) => e.type?.startsWith('webrtc_'), 2);
      expect(signals(a.sub)).toEqual([
        { type: 'webrtc_answer', from_user_id: bob.id, from_username: bob.username, channel_id: channel.id, data: answer },
        { type: 'webrtc_ice_candidate', from_user_id: bob.id, from_username: bob.username, channel_id: channel.id, data: ice },
      ]);

      // Carol is present on the channel but was never a target: her socket has nothing.
      await c.ws.api.auth.me.query();
      await b.ws.api.auth.me.query();
      expect(signals(c.sub)).toEqual([]);
      expect(signals(b.sub)).toHaveLength(1);
      await closer.closeAll();
    }
  });

  test('a target with two devices gets the signal on both', async () => {
    const a = await join(alice, voice);
    const b1 = await join(bob, voice);
    const b2 = await join(bob, voice);
    await a.ws.api.realtime.signal.mutate({ channel_id: voice.id, target_user_id: bob.id, type: 'offer', data: { n: 1 } });
    for (const b of [b1, b2]) expect((await b.sub.events.first((e) => e.type === 'webrtc_offer')).data).toEqual({ n: 1 });
  });

  test("from_user_id and from_username are the server's: forged values in the input or the data change nothing", async () => {
    const a = await join(alice, voice);
    const b = await join(bob, voice);
    const data = { from_user_id: carol.id, from_username: carol.username, sdp: 'forged?' };
    const forged = {
      channel_id: voice.id,
      target_user_id: bob.id,
      type: 'offer',
      data,
      from_user_id: carol.id,
      from_username: carol.username,
    } as any;
    await a.ws.api.realtime.signal.mutate(forged);
    const got = await b.sub.events.first((e) => e.type === 'webrtc_offer');
    expect(got.from_user_id).toBe(alice.id);
    expect(got.from_username).toBe(alice.username);
    expect(got.data).toEqual(data);
    expect(got).toEqual({ type: 'webrtc_offer', from_user_id: alice.id, from_username: alice.username, channel_id: voice.id, data });
  });

  test('refusals carry the exact code and deliver nothing', async () => {
    const a = await join(alice, voice);
    const b = await join(bob, voice);
    const t = await join(bob, text);
    await join(alice, text);
    const send = (from: Registered, input: object) =>
      errorCode(from.client.realtime.signal.mutate({ type: 'offer', data: { sdp: 'x' }, ...input } as any));

    // Carol is a member but not present on the voice channel: as a target and as a sender.
    expect(await send(alice, { channel_id: voice.id, target_user_id: carol.id })).toBe('NOT_FOUND');
    expect(await send(carol, { channel_id: voice.id, target_user_id: bob.id })).toBe('FORBIDDEN');
    // TEXT channels do not relay WebRTC, even between two present members.
    expect(await send(alice, { channel_id: text.id, target_user_id: bob.id })).toBe('BAD_REQUEST');
    // Non-members: as a sender (the channel is invisible) and as a target (never present).
    expect(await send(mallory, { channel_id: voice.id, target_user_id: bob.id })).toBe('NOT_FOUND');
    expect(await send(alice, { channel_id: voice.id, target_user_id: mallory.id })).toBe('NOT_FOUND');
    // Unknown channel, missing target, oneself, both or neither of channel_id/user_id.
    expect(await send(alice, { channel_id: crypto.randomUUID(), target_user_id: bob.id })).toBe('NOT_FOUND');
    expect(await send(alice, { channel_id: voice.id })).toBe('BAD_REQUEST');
    expect(await send(alice, { channel_id: voice.id, target_user_id: alice.id })).toBe('BAD_REQUEST');
    expect(await send(alice, { channel_id: voice.id, user_id: bob.id, target_user_id: bob.id })).toBe('BAD_REQUEST');
    expect(await send(alice, { target_user_id: bob.id })).toBe('BAD_REQUEST');

    await a.ws.api.auth.me.query();
    await b.ws.api.auth.me.query();
    await t.ws.api.auth.me.query();
    expect(signals(a.sub)).toEqual([]);
    expect(signals(b.sub)).toEqual([]);
    expect(signals(t.sub)).toEqual([]);
  });

  test('a sender whose subscription ended can no longer signal', async () => {
    const a = await join(alice, voice);
    await join(bob, voice);
    expect(
      await errorCode(alice.client.realtime.signal.mutate({ channel_id: voice.id, target_user_id: bob.id, type: 'offer', data: 1 })),
    ).toBe('no error');
    a.sub.unsubscribe();
    // The stop is processed in order on Alice's socket, before this query.
    await a.ws.api.auth.me.query();
    expect(
      await errorCode(alice.client.realtime.signal.mutate({ channel_id: voice.id, target_user_id: bob.id, type: 'offer', data: 2 })),
    ).toBe('FORBIDDEN');
  });
});

describe('DM signalling', () => {
  test('refused unless both are on the DM stream', async () => {
    const aliceWs = device(alice);
    const a = follow(aliceWs.api.realtime.dm, { user_id: carol.id });
    await a.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    const send = (from: Registered, to: string) => errorCode(from.client.realtime.signal.mutate({ user_id: to, type: 'offer', data: {} }));
    // Carol has not opened the DM stream: not present as a target; as a sender, not subscribed.
    expect(await send(alice, carol.id)).toBe('NOT_FOUND');
    expect(await send(carol, alice.id)).toBe('FORBIDDEN');
    expect(await send(alice, alice.id)).toBe('BAD_REQUEST');
    expect(
      await errorCode(alice.client.realtime.signal.mutate({ user_id: carol.id, target_user_id: bob.id, type: 'offer', data: {} })),
    ).toBe('BAD_REQUEST');

    const c = follow(device(carol).api.realtime.dm, { user_id: alice.id });
    await c.events.first((e) => e.type === 'dm_user_online');
    expect(await send(alice, carol.id)).toBe('no error');
    expect(await c.events.first((e) => e.type === 'webrtc_offer')).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      data: {},
    });
    await aliceWs.api.auth.me.query();
    expect(signals(a)).toEqual([]);
  });
});
