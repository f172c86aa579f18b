import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { GatewaySocket } from '../helpers/gateway.ts';
import {
  Closer,
  errorCode,
  groupWithChannel,
  history,
  type Registered,
  startTestServer,
  type TestServer,
  users,
} from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/**
 * The per-user send limit (here 3 per 10 s) applies to gateway frames too: the frames over it are
 * answered with error frames, the socket stays open, and the budget is shared with tRPC sends.
 * Each test uses its own users: a window is never waited out.
 */

let server: TestServer;
const closer = new Closer();
let owner: Registered;
let others: Registered[];
let channel: Channel;

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_MESSAGES: '3/10s' });
  const all = await users(server.url, 'owner', 'rl_a', 'rl_b', 'rl_c');
  owner = all[0]!;
  others = all.slice(1);
  ({ channel } = await groupWithChannel(owner, others));
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

const isLimitError = (e: any) => e.type === 'error' && /3 messages per 10 s|too many|rate/i.test(e.message);

describe('rate limiting on the gateway', () => {
  test('frames over the limit get error frames; the first three are sent and persisted; the socket stays open', async () => {
    const user = others[0]!;
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, user.token));
    for (let i = 1; i <= 5; i++) s.send({ type: 'message', content: `burst ${i}` });
    await s.events.count((e) => e.type === 'error', 2);
    await s.events.count((e) => e.type === 'message' && e.sender_id === user.id, 3);
    const errors = s.of('error');
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e).toEqual({ type: 'error', message: expect.any(String) });
      expect(isLimitError(e)).toBe(true);
    }
    const stored = (await history(owner.client, channel.id)).filter((m) => m.content.startsWith('burst '));
    expect(stored).toHaveLength(3);
    expect(
      s
        .of('message')
        .map((m) => m.content)
        .sort(),
    ).toEqual(stored.map((m) => m.content).sort());

    // Still open and still serving what is not a message: typing goes through.
    expect(s.isOpen).toBe(true);
    s.send({ type: 'typing', is_typing: true });
    expect(await s.first((e) => e.type === 'typing' && e.user_id === user.id)).toMatchObject({ is_typing: true });
    // A further message is refused again, not silently dropped.
    const again = await s.expectError({ type: 'message', content: 'burst 6' });
    expect(isLimitError(again)).toBe(true);
  });

  test('the budget is shared between the gateway and tRPC, and between channel messages and DMs', async () => {
    const user = others[1]!;
    const partner = others[2]!;
    const s = closer.add(await GatewaySocket.channel(server.url, channel.id, user.token));
    expect((await user.client.messages.send.mutate({ channel_id: channel.id, content: 'shared 1' })).content).toBe('shared 1');
    expect((await user.client.dms.send.mutate({ user_id: partner.id, content: 'shared 2' })).content).toBe('shared 2');
    s.send({ type: 'message', content: 'shared 3' });
    await s.first((e) => e.type === 'message' && e.content === 'shared 3');
    // The budget is spent: the gateway refuses, tRPC refuses, a DM socket refuses.
    expect(isLimitError(await s.expectError({ type: 'message', content: 'shared 4' }))).toBe(true);
    expect(await errorCode(user.client.messages.send.mutate({ channel_id: channel.id, content: 'shared 5' }))).toBe('TOO_MANY_REQUESTS');
    const dm = closer.add(await GatewaySocket.dm(server.url, partner.id, user.token));
    expect(isLimitError(await dm.expectError({ type: 'dm_message', content: 'shared 6' }))).toBe(true);
    const stored = (await history(owner.client, channel.id)).filter((m) => m.content.startsWith('shared '));
    expect(stored.map((m) => m.content)).toEqual(['shared 1', 'shared 3']);
    // Another user's budget is untouched.
    const fresh = closer.add(await GatewaySocket.channel(server.url, channel.id, owner.token));
    fresh.send({ type: 'message', content: 'owner unaffected' });
    await fresh.first((e) => e.type === 'message' && e.content === 'owner unaffected');
  });
});
