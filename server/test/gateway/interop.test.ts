import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import {
  Closer,
  eventually,
  follow,
  history,
  type Registered,
  startTestServer,
  type TestServer,
  users,
  wsClient,
} from '../helpers/fixtures.ts';
import { GatewaySocket } from '../helpers/gateway.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/** One protocol, two doors: the raw gateway and tRPC see the same messages, typing and signals. */

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered;
let text: Channel, voice: Channel;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  const group = await alice.client.groups.create.mutate({ name: 'interop' });
  await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
  text = await alice.client.channels.create.mutate({ group_id: group.id, name: 'text', type: 'TEXT' });
  voice = await alice.client.channels.create.mutate({ group_id: group.id, name: 'voice', type: 'VOICE' });
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

/** Alice on the raw gateway, Bob on a stock tRPC client, both attached to `channel`. */
async function channelPair(channel: Channel) {
  const trpc = closer.add(wsClient(server.url, bob.token));
  const sub = follow(trpc.api.realtime.channel, { channel_id: channel.id });
  await sub.events.first((e) => e.type === 'online_users');
  // Bob is present before Alice attaches, so both are present once her online_users arrives.
  const gw = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
  expect(gw.events.items[0].users).toContain(bob.id);
  return { gw, trpc, sub };
}

/** Alice on a gateway DM socket with Bob, Bob on a stock tRPC realtime.dm subscription with Alice. */
async function dmPair() {
  const trpc = closer.add(wsClient(server.url, bob.token));
  const sub = follow(trpc.api.realtime.dm, { user_id: alice.id });
  await sub.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
  const gw = closer.add(await GatewaySocket.dm(server.url, bob.id, alice.token));
  return { gw, trpc, sub };
}

describe('channel messages', () => {
  test('a message sent on the gateway is persisted and reaches tRPC subscribers as a tracked event', async () => {
    const { gw, sub } = await channelPair(text);
    gw.send({ type: 'message', content: 'from the gateway', nonce: 'gw-nonce-1' });
    const got = await sub.events.first((e) => e.type === 'message' && e.content === 'from the gateway');
    const all = await history(bob.client, text.id);
    const stored = all.find((m) => m.content === 'from the gateway')!;
    expect(stored).toBeDefined();
    expect(all.filter((m) => m.content === 'from the gateway')).toHaveLength(1);
    // Tracked: the stream position is the message's seq.
    expect(got).toEqual({ type: 'message', ...stored, _seq: stored.seq });
    expect(got.sender_id).toBe(alice.id);
    // The gateway's own echo is the same message.
    const echo = await gw.first((e) => e.type === 'message' && e.content === 'from the gateway');
    expect(echo).toEqual({ type: 'message', ...stored });

    // The same nonce again is the same message, not a duplicate.
    gw.send({ type: 'message', content: 'from the gateway', nonce: 'gw-nonce-1' });
    gw.send({ type: 'message', content: 'after the repeat' });
    await sub.events.first((e) => e.type === 'message' && e.content === 'after the repeat');
    expect((await history(bob.client, text.id)).filter((m) => m.content === 'from the gateway')).toHaveLength(1);
    expect(sub.of('message').filter((m) => m.content === 'from the gateway')).toHaveLength(1);
  });

  test('a message sent through tRPC reaches the gateway socket, bare', async () => {
    const { gw } = await channelPair(text);
    const sent = await bob.client.messages.send.mutate({ channel_id: text.id, content: 'from tRPC' });
    expect(await gw.first((e) => e.type === 'message' && e.id === sent.id)).toEqual({ type: 'message', ...sent });
  });

  test('messages from both doors interleave in one sequence, the same on both', async () => {
    const { gw, sub } = await channelPair(text);
    for (let i = 0; i < 3; i++) {
      gw.send({ type: 'message', content: `interleave gw ${i}` });
      await bob.client.messages.send.mutate({ channel_id: text.id, content: `interleave trpc ${i}` });
    }
    const mine = (e: any) => e.type === 'message' && String(e.content).startsWith('interleave');
    await sub.events.count(mine, 6);
    await gw.events.count(mine, 6);
    const viaTrpc = sub.events.items.filter(mine).map((e) => [e.seq, e.content]);
    const viaGateway = gw.events.items.filter(mine).map((e) => [e.seq, e.content]);
    expect(viaGateway).toEqual(viaTrpc);
    const seqs = viaTrpc.map(([seq]) => seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const stored = (await history(bob.client, text.id)).filter((m) => m.content.startsWith('interleave'));
    expect(stored.map((m) => [m.seq, m.content])).toEqual(viaTrpc);
  });
});

describe('DMs', () => {
  test('a DM sent on the gateway is persisted and reaches the tRPC subscriber', async () => {
    const { gw, sub } = await dmPair();
    gw.send({ type: 'dm_message', content: 'dm from the gateway' });
    const got = await sub.events.first((e) => e.type === 'dm_message' && e.content === 'dm from the gateway');
    const [stored] = (await bob.client.dms.list.query({ user_id: alice.id, limit: 1 })).items;
    expect(stored!.content).toBe('dm from the gateway');
    expect(got).toEqual({ type: 'dm_message', ...stored!, _seq: stored!.seq });
    expect(got).toMatchObject({ sender_id: alice.id, recipient_id: bob.id });
  });

  test('a DM sent through tRPC reaches the gateway socket, bare', async () => {
    const { gw } = await dmPair();
    const sent = await bob.client.dms.send.mutate({ user_id: alice.id, content: 'dm from tRPC' });
    expect(await gw.first((e) => e.type === 'dm_message' && e.id === sent.id)).toEqual({ type: 'dm_message', ...sent });
  });
});

describe('typing', () => {
  test('channel typing from the gateway reaches tRPC, and from tRPC reaches the gateway', async () => {
    const { gw, sub } = await channelPair(text);
    gw.send({ type: 'typing', is_typing: true });
    expect(await sub.events.first((e) => e.type === 'typing' && e.user_id === alice.id)).toEqual({
      type: 'typing',
      user_id: alice.id,
      username: alice.username,
      is_typing: true,
      channel_id: text.id,
    });
    expect(await bob.client.realtime.typing.mutate({ channel_id: text.id, is_typing: true })).toEqual({ ok: true });
    expect(await gw.first((e) => e.type === 'typing' && e.user_id === bob.id)).toEqual({
      type: 'typing',
      user_id: bob.id,
      username: bob.username,
      is_typing: true,
      channel_id: text.id,
    });
  });

  test('DM typing from the gateway reaches tRPC, and from tRPC reaches the gateway', async () => {
    const { gw, sub } = await dmPair();
    gw.send({ type: 'dm_typing', is_typing: true });
    expect(await sub.events.first((e) => e.type === 'dm_typing')).toEqual({
      type: 'dm_typing',
      user_id: alice.id,
      username: alice.username,
      is_typing: true,
    });
    expect(await bob.client.realtime.dmTyping.mutate({ user_id: alice.id, is_typing: true })).toEqual({ ok: true });
    expect(await gw.first((e) => e.type === 'dm_typing' && e.user_id === bob.id)).toEqual({
      type: 'dm_typing',
      user_id: bob.id,
      username: bob.username,
      is_typing: true,
    });
  });
});

describe('WebRTC signals', () => {
  test('in a VOICE channel: gateway to tRPC and back', async () => {
    const { gw, sub, trpc } = await channelPair(voice);
    const offer = { type: 'offer', sdp: 'v=0 gateway offer' };
    gw.send({ type: 'webrtc_offer', target_user_id: bob.id, data: offer });
    expect(await sub.events.first((e) => e.type === 'webrtc_offer')).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      channel_id: voice.id,
      data: offer,
    });
    const answer = { type: 'answer', sdp: 'v=0 trpc answer' };
    expect(await trpc.api.realtime.signal.mutate({ channel_id: voice.id, target_user_id: alice.id, type: 'answer', data: answer })).toEqual(
      { ok: true },
    );
    expect(await gw.first((e) => e.type === 'webrtc_answer')).toEqual({
      type: 'webrtc_answer',
      from_user_id: bob.id,
      from_username: bob.username,
      channel_id: voice.id,
      data: answer,
    });
    gw.send({ type: 'webrtc_ice_candidate', target_user_id: bob.id, data: { candidate: 'c-gw' } });
    expect(await sub.events.first((e) => e.type === 'webrtc_ice_candidate')).toEqual({
      type: 'webrtc_ice_candidate',
      from_user_id: alice.id,
      from_username: alice.username,
      channel_id: voice.id,
      data: { candidate: 'c-gw' },
    });
  });

  test('in a DM: gateway to tRPC and back', async () => {
    const { gw, sub, trpc } = await dmPair();
    gw.send({ type: 'webrtc_offer', data: { sdp: 'v=0 dm gateway offer' } });
    expect(await sub.events.first((e) => e.type === 'webrtc_offer')).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      data: { sdp: 'v=0 dm gateway offer' },
    });
    await trpc.api.realtime.signal.mutate({ user_id: alice.id, type: 'ice_candidate', data: { candidate: 'c-trpc' } });
    expect(await gw.first((e) => e.type === 'webrtc_ice_candidate')).toEqual({
      type: 'webrtc_ice_candidate',
      from_user_id: bob.id,
      from_username: bob.username,
      data: { candidate: 'c-trpc' },
    });
  });

  test('a gateway signal to someone not present is refused with an error frame, and nothing is relayed', async () => {
    // Bob's presence from an earlier test ends asynchronously after its socket closed: wait it out.
    const gw = await eventually(async (): Promise<GatewaySocket | null> => {
      const s = closer.add(await GatewaySocket.channel(server.url, voice.id, alice.token));
      if (!s.events.items[0].users.includes(bob.id)) return s;
      await s.close();
      return null;
    }).then((s) => s!);
    const err = await gw.expectError({ type: 'webrtc_offer', target_user_id: bob.id, data: { sdp: 'nobody home' } });
    expect(err).toEqual({ type: 'error', message: expect.any(String) });
    expect(err.message.length).toBeGreaterThan(0);
    // The socket is still usable.
    gw.send({ type: 'message', content: 'still here after a refused signal' });
    await gw.first((e) => e.type === 'message' && e.content === 'still here after a refused signal');
    // In a TEXT channel signals are refused even when both are present.
    const pair = await channelPair(text);
    const textErr = await pair.gw.expectError({ type: 'webrtc_offer', target_user_id: bob.id, data: 1 });
    expect(textErr.type).toBe('error');
    await pair.trpc.api.auth.me.query();
    expect(pair.sub.events.items.filter((e) => e.type?.startsWith('webrtc_'))).toEqual([]);
  });
});
