import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { GatewaySocket } from '../helpers/gateway.ts';
import { Closer, groupWithChannel, type Registered, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/**
 * The compatibility gateway sends exactly the contract's event shapes, bare: no tRPC envelope,
 * no extra fields.
 */

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered, carol: Registered;
let text: Channel, voice: Channel;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol] = (await users(server.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
  const group = await alice.client.groups.create.mutate({ name: 'gateway events' });
  for (const m of [bob, carol]) await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: m.id });
  text = await alice.client.channels.create.mutate({ group_id: group.id, name: 'text', type: 'TEXT' });
  voice = await alice.client.channels.create.mutate({ group_id: group.id, name: 'voice', type: 'VOICE' });
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

const channelSocket = async (user: Registered, channel: Channel) =>
  closer.add(await GatewaySocket.channel(server.url, channel.id, user.token));
const dmSocket = async (user: Registered, partner: Registered) => closer.add(await GatewaySocket.dm(server.url, partner.id, user.token));

const MESSAGE_KEYS = [
  'type',
  'id',
  'seq',
  'channel_id',
  'sender_id',
  'sender_username',
  'content',
  'created_at',
  'edited_at',
  'reactions',
  'attachments',
].sort();
// DM reactions (shared/entities.ts) ride along with the contract's DirectMessage fields.
const DM_KEYS = [
  'type',
  'id',
  'seq',
  'sender_id',
  'sender_username',
  'recipient_id',
  'content',
  'created_at',
  'edited_at',
  'reactions',
  'attachments',
].sort();

describe('channel sockets', () => {
  test('online_users comes first; user_joined and user_left announce others', async () => {
    const a = await channelSocket(alice, text);
    expect(a.events.items[0]).toEqual({ type: 'online_users', users: [alice.id], channel_id: text.id });

    const b = await channelSocket(bob, text);
    expect(b.events.items[0]).toEqual({ type: 'online_users', users: expect.any(Array), channel_id: text.id });
    expect([...b.events.items[0].users].sort()).toEqual([alice.id, bob.id].sort());
    expect(await a.first((e) => e.type === 'user_joined' && e.user_id === bob.id)).toEqual({
      type: 'user_joined',
      user_id: bob.id,
      username: bob.username,
      channel_id: text.id,
    });

    await b.close();
    expect(await a.first((e) => e.type === 'user_left' && e.user_id === bob.id)).toEqual({
      type: 'user_left',
      user_id: bob.id,
      username: bob.username,
      channel_id: text.id,
    });
    // Alice's own socket is still there: a new member sees her in online_users.
    const c = await channelSocket(carol, text);
    expect([...c.events.items[0].users].sort()).toEqual([alice.id, carol.id].sort());
  });

  test('a message frame comes back to every socket as a bare message event, identical to the persisted message', async () => {
    const a = await channelSocket(alice, text);
    const b = await channelSocket(bob, text);
    a.send({ type: 'message', content: 'hello from the gateway' });
    const atBob = await b.first((e) => e.type === 'message' && e.content === 'hello from the gateway');
    const atAlice = await a.first((e) => e.type === 'message' && e.content === 'hello from the gateway');
    expect(Object.keys(atBob).sort()).toEqual(MESSAGE_KEYS);
    const [stored] = (await bob.client.messages.list.query({ channel_id: text.id, limit: 1 })).items;
    expect(atBob).toEqual({ type: 'message', ...stored! });
    expect(atAlice).toEqual(atBob);
    expect(atBob).toMatchObject({
      channel_id: text.id,
      sender_id: alice.id,
      sender_username: alice.username,
      content: 'hello from the gateway',
      edited_at: null,
      reactions: [],
    });
    expect(atBob.seq).toBeGreaterThan(0);
    expect(new Date(atBob.created_at).toISOString()).toBe(atBob.created_at);
  });

  test('typing frames come back as typing events, true then false', async () => {
    const a = await channelSocket(alice, text);
    const b = await channelSocket(bob, text);
    a.send({ type: 'typing', is_typing: true });
    expect(await b.first((e) => e.type === 'typing')).toEqual({
      type: 'typing',
      user_id: alice.id,
      username: alice.username,
      is_typing: true,
      channel_id: text.id,
    });
    a.send({ type: 'typing', is_typing: false });
    expect(await b.first((e) => e.type === 'typing' && e.is_typing === false)).toEqual({
      type: 'typing',
      user_id: alice.id,
      username: alice.username,
      is_typing: false,
      channel_id: text.id,
    });
  });

  test('webrtc offer, answer and ICE candidate reach their target only, with from_* set by the server', async () => {
    const a = await channelSocket(alice, voice);
    const b = await channelSocket(bob, voice);
    const c = await channelSocket(carol, voice);
    const offer = { type: 'offer', sdp: 'v=0 offer' };
    // A forged from_user_id in the frame changes nothing.
    a.send({ type: 'webrtc_offer', target_user_id: bob.id, data: offer, from_user_id: carol.id });
    expect(await b.first((e) => e.type === 'webrtc_offer')).toEqual({
      type: 'webrtc_offer',
      from_user_id: alice.id,
      from_username: alice.username,
      channel_id: voice.id,
      data: offer,
    });
    const answer = { type: 'answer', sdp: 'v=0 answer' };
    const ice = { candidate: 'candidate:0 1 UDP 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    b.send({ type: 'webrtc_answer', target_user_id: alice.id, data: answer });
    b.send({ type: 'webrtc_ice_candidate', target_user_id: alice.id, data: ice });
    await a.events.count((e) => e.type?.startsWith('webrtc_'), 2);
    // Shapes only here; the order of frames from one socket is ordering.test.ts's concern.
    const byType = (x: any, y: any) => String(x.type).localeCompare(String(y.type));
    expect(a.events.items.filter((e) => e.type.startsWith('webrtc_')).sort(byType)).toEqual([
      { type: 'webrtc_answer', from_user_id: bob.id, from_username: bob.username, channel_id: voice.id, data: answer },
      { type: 'webrtc_ice_candidate', from_user_id: bob.id, from_username: bob.username, channel_id: voice.id, data: ice },
    ]);
    // Carol was never a target; a typing round-trip on her socket is the barrier.
    c.send({ type: 'typing', is_typing: true });
    await c.first((e) => e.type === 'typing' && e.user_id === carol.id);
    expect(c.events.items.filter((e) => e.type.startsWith('webrtc_'))).toEqual([]);
    expect(b.of('webrtc_answer')).toEqual([]);
  });

  test('no event carries a tRPC envelope', async () => {
    const a = await channelSocket(alice, text);
    a.send({ type: 'typing', is_typing: true });
    a.send({ type: 'message', content: 'envelope check' });
    await a.first((e) => e.type === 'message' && e.content === 'envelope check');
    for (const e of a.events.items) {
      expect(typeof e).toBe('object');
      expect(typeof e.type).toBe('string');
      for (const key of ['result', 'jsonrpc', 'data', 'error']) {
        // `data` only belongs to WebRTC events, none of which are here.
        expect(Object.keys(e)).not.toContain(key);
      }
    }
  });
});

describe('DM sockets', () => {
  let dave: Registered, erin: Registered;
  beforeAll(async () => {
    // Fresh users: presence is per user across every connection, so none of the above may linger.
    [dave, erin] = (await users(server.url, 'dave', 'erin')) as [Registered, Registered];
    // Presence is visible only to users who share a group or a conversation (CONTRACT.md v2).
    await groupWithChannel(dave, [erin]);
  }, 60_000);

  test("the partner's presence comes first, then changes as they come and go", async () => {
    const d = await dmSocket(dave, erin);
    expect(d.events.items[0]).toEqual({ type: 'dm_user_offline', user_id: erin.id, username: erin.username });
    const e = await dmSocket(erin, dave);
    // Dave is online (his DM socket counts as a connection).
    expect(e.events.items[0]).toEqual({ type: 'dm_user_online', user_id: dave.id, username: dave.username });
    expect(await d.first((ev) => ev.type === 'dm_user_online')).toEqual({
      type: 'dm_user_online',
      user_id: erin.id,
      username: erin.username,
    });
    await e.close();
    expect(await d.first((ev) => ev.type === 'dm_user_offline', 1)).toEqual({
      type: 'dm_user_offline',
      user_id: erin.id,
      username: erin.username,
    });
  });

  test('dm_message frames come back to both sides as bare dm_message events, identical to the persisted message', async () => {
    const d = await dmSocket(dave, erin);
    const e = await dmSocket(erin, dave);
    d.send({ type: 'dm_message', content: 'hi erin' });
    const atErin = await e.first((ev) => ev.type === 'dm_message' && ev.content === 'hi erin');
    const atDave = await d.first((ev) => ev.type === 'dm_message' && ev.content === 'hi erin');
    expect(Object.keys(atErin).sort()).toEqual(DM_KEYS);
    const [stored] = (await erin.client.dms.list.query({ user_id: dave.id, limit: 1 })).items;
    expect(atErin).toEqual({ type: 'dm_message', ...stored! });
    expect(atDave).toEqual(atErin);
    expect(atErin).toMatchObject({ sender_id: dave.id, sender_username: dave.username, recipient_id: erin.id, edited_at: null });
  });

  test('dm_typing frames come back as dm_typing events', async () => {
    const d = await dmSocket(dave, erin);
    const e = await dmSocket(erin, dave);
    e.send({ type: 'dm_typing', is_typing: true });
    expect(await d.first((ev) => ev.type === 'dm_typing')).toEqual({
      type: 'dm_typing',
      user_id: erin.id,
      username: erin.username,
      is_typing: true,
    });
    e.send({ type: 'dm_typing', is_typing: false });
    expect(await d.first((ev) => ev.type === 'dm_typing' && !ev.is_typing)).toEqual({
      type: 'dm_typing',
      user_id: erin.id,
      username: erin.username,
      is_typing: false,
    });
  });

  test('webrtc frames on a DM socket reach the partner, with from_* and no channel_id', async () => {
    const d = await dmSocket(dave, erin);
    const e = await dmSocket(erin, dave);
    const offer = { type: 'offer', sdp: 'v=0 dm offer' };
    d.send({ type: 'webrtc_offer', data: offer });
    expect(await e.first((ev) => ev.type === 'webrtc_offer')).toEqual({
      type: 'webrtc_offer',
      from_user_id: dave.id,
      from_username: dave.username,
      data: offer,
    });
    e.send({ type: 'webrtc_answer', target_user_id: dave.id, data: { sdp: 'v=0 dm answer' } });
    e.send({ type: 'webrtc_ice_candidate', data: { candidate: 'c1' } });
    await d.events.count((ev) => ev.type?.startsWith('webrtc_'), 2);
    const byType = (x: any, y: any) => String(x.type).localeCompare(String(y.type));
    expect(d.events.items.filter((ev) => ev.type.startsWith('webrtc_')).sort(byType)).toEqual([
      { type: 'webrtc_answer', from_user_id: erin.id, from_username: erin.username, data: { sdp: 'v=0 dm answer' } },
      { type: 'webrtc_ice_candidate', from_user_id: erin.id, from_username: erin.username, data: { candidate: 'c1' } },
    ]);
    // The sender never hears its own signals: Erin's socket has Dave's offer alone.
    expect(e.events.items.filter((ev) => ev.type.startsWith('webrtc_'))).toEqual([
      { type: 'webrtc_offer', from_user_id: dave.id, from_username: dave.username, data: offer },
    ]);
  });
});
