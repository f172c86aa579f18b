import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { closedWithin, GatewaySocket } from '../helpers/gateway.ts';
import { Closer, groupWithChannel, history, type Registered, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/** Malformed frames get `{ type: 'error', message }` and the socket stays open; oversized ones close it. */

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered;
let channel: Channel;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  ({ channel } = await groupWithChannel(alice, [bob]));
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

let probe = 0;
/** Proves the socket still works: a valid message frame comes back as a message event. */
async function stillWorks(socket: GatewaySocket, kind: 'channel' | 'dm' = 'channel') {
  const content = `still open ${++probe}`;
  expect(socket.isOpen).toBe(true);
  socket.send(kind === 'channel' ? { type: 'message', content } : { type: 'dm_message', content });
  const got = await socket.first((e) => (e.type === 'message' || e.type === 'dm_message') && e.content === content);
  expect(got.sender_id).toBe(alice.id);
}

/** Sends `frame`, expects exactly one `{ type: 'error', message }` answer, and that the socket is still usable. */
async function expectErrorFrame(socket: GatewaySocket, frame: unknown, kind: 'channel' | 'dm' = 'channel') {
  const before = socket.events.items.length;
  const error = await socket.expectError(frame);
  expect(error).toEqual({ type: 'error', message: expect.any(String) });
  expect(error.message.length).toBeGreaterThan(0);
  await stillWorks(socket, kind);
  // Nothing but the error and the probe's echo arrived for the bad frame (no message was created from it).
  const since = socket.events.items.slice(before);
  expect(since.filter((e) => e.type === 'error')).toHaveLength(1);
  expect(since.filter((e) => e.type === 'message' || e.type === 'dm_message')).toHaveLength(1);
  return error.message as string;
}

describe('malformed frames on a channel socket', () => {
  test('a frame that is not JSON', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    expect(await expectErrorFrame(s, 'this is not json')).toMatch(/json/i);
    expect(await expectErrorFrame(s, '{"type":"message",')).toMatch(/json/i);
  });

  test('JSON that is not a frame object', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    for (const frame of ['null', '42', '"message"', '[]', '[{"type":"message","content":"x"}]', '{}']) await expectErrorFrame(s, frame);
  });

  test('an unknown type', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    expect(await expectErrorFrame(s, { type: 'shout', content: 'hi' })).toMatch(/type/);
    expect(await expectErrorFrame(s, { type: 'subscription', id: 1, params: {} })).toMatch(/type/);
  });

  test('missing, empty, wrongly typed and too long content', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    expect(await expectErrorFrame(s, { type: 'message' })).toMatch(/content/);
    expect(await expectErrorFrame(s, { type: 'message', content: '' })).toMatch(/content/);
    expect(await expectErrorFrame(s, { type: 'message', content: 42 })).toMatch(/content/);
    expect(await expectErrorFrame(s, { type: 'message', content: 'x'.repeat(LIMITS.contentMax + 1) })).toMatch(/content/);
    // Exactly at the limit is fine.
    s.send({ type: 'message', content: 'y'.repeat(LIMITS.contentMax) });
    const max = await s.first((e) => e.type === 'message' && e.content.length === LIMITS.contentMax);
    expect(max.content).toBe('y'.repeat(LIMITS.contentMax));
    // None of the refused frames was persisted.
    const stored = await history(alice.client, channel.id);
    expect(stored.some((m) => m.content === '' || m.content.length > LIMITS.contentMax)).toBe(false);
  });

  test('bad typing and signal frames', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    expect(await expectErrorFrame(s, { type: 'typing' })).toMatch(/is_typing/);
    expect(await expectErrorFrame(s, { type: 'typing', is_typing: 'yes' })).toMatch(/is_typing/);
    expect(await expectErrorFrame(s, { type: 'webrtc_offer', target_user_id: 'not-a-uuid', data: {} })).toMatch(/target_user_id/);
    // WebRTC data over its own limit (the frame itself stays under 64 KiB).
    const big = { blob: 'z'.repeat(LIMITS.webrtcDataMaxBytes + 10) };
    expect(await expectErrorFrame(s, { type: 'webrtc_offer', target_user_id: bob.id, data: big })).toMatch(/data/);
  });

  test('a frame meant for a DM socket', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    expect(await expectErrorFrame(s, { type: 'dm_message', content: 'wrong socket' })).toMatch(/dm_message/);
    expect(await expectErrorFrame(s, { type: 'dm_typing', is_typing: true })).toMatch(/dm_typing/);
    // Nothing was sent as a DM to anyone from this socket.
    expect((await alice.client.dms.conversations.query()).some((c) => c.last_message.content === 'wrong socket')).toBe(false);
  });

  test('many bad frames in a row, then good ones: every bad one is answered, the socket stays open', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const bad = ['nope', '{', { type: 'x' }, { type: 'message' }, { type: 'dm_message', content: 'x' }, { type: 'typing', is_typing: 1 }];
    const from = s.events.items.length;
    for (const frame of bad) s.send(frame);
    await s.events.until((items) => items.slice(from).filter((e) => e.type === 'error').length === bad.length, 5000, 'six errors');
    await stillWorks(s);
    await stillWorks(s);
  });
});

describe('malformed frames on a DM socket', () => {
  test('channel frames, bad JSON and bad content are answered with errors; the DM socket stays open', async () => {
    const s = closer.add(await GatewaySocket.dm(server.url, bob.id, alice.token));
    expect(await expectErrorFrame(s, { type: 'message', content: 'wrong socket' }, 'dm')).toMatch(/message/);
    expect(await expectErrorFrame(s, { type: 'typing', is_typing: true }, 'dm')).toMatch(/typing/);
    expect(await expectErrorFrame(s, 'not json', 'dm')).toMatch(/json/i);
    expect(await expectErrorFrame(s, { type: 'dm_message' }, 'dm')).toMatch(/content/);
    expect(await expectErrorFrame(s, { type: 'dm_message', content: 'x'.repeat(LIMITS.contentMax + 1) }, 'dm')).toMatch(/content/);
    expect(await expectErrorFrame(s, { type: 'dm_typing', is_typing: null }, 'dm')).toMatch(/is_typing/);
    const stored = await history(alice.client, channel.id);
    expect(stored.some((m) => m.content === 'wrong socket')).toBe(false);
  });
});

describe('frame size', () => {
  test('a frame over 64 KiB closes the socket with 1009', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    s.send({ type: 'message', content: 'x'.repeat(LIMITS.wsFrameMaxBytes + 1) });
    const closed = await closedWithin(s);
    expect(closed.code).toBe(1009);
    // Nothing of it was persisted, and the user can connect again.
    expect((await history(alice.client, channel.id)).some((m) => m.content.length > LIMITS.contentMax)).toBe(false);
    const again = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    await stillWorks(again);
  });

  test('a frame just under 64 KiB is answered with an error (content too long), not a close', async () => {
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    const overhead = JSON.stringify({ type: 'message', content: '' }).length;
    const frame = JSON.stringify({ type: 'message', content: 'x'.repeat(LIMITS.wsFrameMaxBytes - overhead) });
    expect(frame.length).toBe(LIMITS.wsFrameMaxBytes);
    expect(await expectErrorFrame(s, frame)).toMatch(/content/);
  });
});
