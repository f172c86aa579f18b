import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { Closer, follow, history, range, type Registered, startTestServer, type TestServer, users, wsClient } from '../helpers/fixtures.ts';
import { GatewaySocket } from '../helpers/gateway.ts';
import { TYPING_RULE } from '../../ratelimit/bucket.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/**
 * The raw protocol has no acknowledgements: the order of frames on one socket is the only order
 * a client can express. The gateway must apply them in that order (a WebRTC answer before its ICE
 * candidates, `typing: true` before `false`, messages in the order they were typed).
 */

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered;
let text: Channel, voice: Channel;

beforeAll(async () => {
  // The send limit on, as in production (generous enough never to refuse here).
  server = await startTestServer({ RATE_LIMIT_MESSAGES: '1000/10s' });
  [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  const group = await alice.client.groups.create.mutate({ name: 'ordering' });
  await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
  text = await alice.client.channels.create.mutate({ group_id: group.id, name: 'text', type: 'TEXT' });
  voice = await alice.client.channels.create.mutate({ group_id: group.id, name: 'voice', type: 'VOICE' });
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

const N = 20;

describe('frames from one gateway socket are applied in order', () => {
  test('WebRTC signals reach the target in the order they were sent', async () => {
    const trpc = closer.add(wsClient(server.url, bob.token));
    const sub = follow(trpc.api.realtime.channel, { channel_id: voice.id });
    await sub.events.first((e) => e.type === 'online_users');
    const gw = closer.add(await GatewaySocket.channel(server.url, voice.id, alice.token));
    gw.send({ type: 'webrtc_answer', target_user_id: bob.id, data: { sdp: 'answer' } });
    for (const i of range(1, N)) gw.send({ type: 'webrtc_ice_candidate', target_user_id: bob.id, data: { candidate: `c${i}` } });
    await sub.events.count((e) => e.type?.startsWith('webrtc_'), N + 1);
    const got = sub.events.items.filter((e) => e.type?.startsWith('webrtc_')).map((e) => e.data.sdp ?? e.data.candidate);
    expect(got).toEqual(['answer', ...range(1, N).map((i) => `c${i}`)]);
  });

  test('messages are persisted and delivered in the order they were sent', async () => {
    const gw = closer.add(await GatewaySocket.channel(server.url, text.id, alice.token));
    for (const i of range(1, N)) gw.send({ type: 'message', content: `ordered ${i}` });
    await gw.events.count((e) => e.type === 'message' && e.content.startsWith('ordered '), N);
    const expected = range(1, N).map((i) => `ordered ${i}`);
    expect(gw.of('message').map((m) => m.content)).toEqual(expected);
    const stored = (await history(bob.client, text.id)).filter((m) => m.content.startsWith('ordered '));
    expect(stored.map((m) => m.content)).toEqual(expected);
  });

  test('typing true then false ends as not typing', async () => {
    const trpc = closer.add(wsClient(server.url, bob.token));
    const sub = follow(trpc.api.realtime.channel, { channel_id: text.id });
    await sub.events.first((e) => e.type === 'online_users');
    const gw = closer.add(await GatewaySocket.channel(server.url, text.id, alice.token));
    // Typing is rate-limited per user (a burst, then a trickle): stay within the burst.
    const pairs = TYPING_RULE.burst / 2;
    for (let i = 0; i < pairs; i++) {
      gw.send({ type: 'typing', is_typing: true });
      gw.send({ type: 'typing', is_typing: false });
    }
    const mine = (e: any) => e.type === 'typing' && e.user_id === alice.id;
    await sub.events.count(mine, 2 * pairs);
    expect(sub.events.items.filter(mine).map((e) => e.is_typing)).toEqual(range(1, pairs).flatMap(() => [true, false]));
  });
});
