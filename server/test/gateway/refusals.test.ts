import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { createTokenService } from '../../auth/tokens.ts';
import { GatewaySocket, gatewayPath, refusedSocket, upgradeAttempt } from '../helpers/gateway.ts';
import { Closer, groupWithChannel, mintToken, type Registered, startTestServer, type TestServer, users } from '../helpers/fixtures.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered, mallory: Registered;
let channel: Channel;

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, mallory] = (await users(server.url, 'alice', 'bob', 'mallory')) as [Registered, Registered, Registered];
  ({ channel } = await groupWithChannel(alice, [bob]));
}, 60_000);
afterEach(() => closer.closeAll(), 30_000);
afterAll(() => server?.stop(), 30_000);

/** Asserts a refused upgrade: plain HTTP `status` with a JSON `{ type: 'error', message }` body. */
async function expectRefused(path: string, status: number) {
  const res = await upgradeAttempt(server.url, path);
  expect({ path, status: res.status }).toEqual({ path, status });
  expect(res.contentType).toContain('application/json');
  expect(res.body).toEqual({ type: 'error', message: expect.any(String) });
  expect(res.body.message.length).toBeGreaterThan(0);
  return res.body as { type: 'error'; message: string };
}

describe('gateway upgrades refused as plain HTTP', () => {
  test('401 without a token, with an empty one, a garbage one, a foreign one, an expired one or a refresh token', async () => {
    const foreign = await createTokenService(new TextEncoder().encode('some-other-secret-that-is-long-enough-0123456789')).sign(
      alice.id,
      alice.username,
    );
    const expired = await mintToken(alice, -1000);
    const tokens: Array<string | undefined> = [
      undefined,
      '',
      'not.a.jwt',
      foreign.token,
      expired,
      alice.session.refresh_token,
      // A valid token with one character of its signature changed.
      alice.token.slice(0, -2) + (alice.token.endsWith('A') ? 'B' : 'A') + alice.token.slice(-1),
    ];
    for (const token of tokens) {
      await expectRefused(gatewayPath('channel', channel.id, token), 401);
      await expectRefused(gatewayPath('dm', bob.id, token), 401);
    }
    // The same token in the query works: the refusals are about the token alone.
    closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
  });

  test('404 for a channel the caller cannot see, an unknown channel, an unknown user and a malformed id; the answers reveal nothing', async () => {
    const invisible = await expectRefused(gatewayPath('channel', channel.id, mallory.token), 404);
    const unknown = await expectRefused(gatewayPath('channel', crypto.randomUUID(), mallory.token), 404);
    // A non-member cannot tell a private channel from one that does not exist.
    expect(invisible).toEqual(unknown);
    await expectRefused(gatewayPath('dm', crypto.randomUUID(), alice.token), 404);
    await expectRefused(gatewayPath('channel', 'not-a-uuid', alice.token), 404);
    await expectRefused(gatewayPath('dm', 'not-a-uuid', alice.token), 404);
    await expectRefused(`/ws/group/${channel.id}?token=${encodeURIComponent(alice.token)}`, 404);
  });

  test('400 for a DM with oneself', async () => {
    await expectRefused(gatewayPath('dm', alice.id, alice.token), 400);
    // Upper-case spelling of one's own id is still oneself.
    await expectRefused(gatewayPath('dm', alice.id.toUpperCase(), alice.token), 400);
  });

  test('400 for a last_event_id that is not a stream sequence', async () => {
    for (const bad of ['abc', '-1', '1.5', '1e3', ' 7', '0x10', '99999999999999999999']) {
      await expectRefused(gatewayPath('channel', channel.id, alice.token, bad), 400);
      await expectRefused(gatewayPath('dm', bob.id, alice.token, bad), 400);
    }
    // Well-formed ones are accepted, on both kinds of socket.
    closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token, 0));
    closer.add(await GatewaySocket.dm(server.url, bob.id, alice.token, 0));
  });

  test("Bun's WebSocket never opens on a refused upgrade and reports the status", async () => {
    const cases: Array<[string, number]> = [
      [gatewayPath('channel', channel.id), 401],
      [gatewayPath('channel', channel.id, await mintToken(alice, -1000)), 401],
      [gatewayPath('channel', channel.id, mallory.token), 404],
      [gatewayPath('dm', alice.id, alice.token), 400],
      [gatewayPath('channel', channel.id, alice.token, 'x'), 400],
    ];
    for (const [path, status] of cases) {
      const refused = await refusedSocket(server.url, path);
      expect({ path, opened: refused.opened }).toEqual({ path, opened: false });
      expect(refused.error).toContain(`${status}`);
      expect(refused.code).not.toBe(1000);
    }
  });

  test('a refused upgrade leaves nothing behind: the user is not announced present', async () => {
    const watcher = closer.add(await GatewaySocket.channel(server.url, channel.id, alice.token));
    await expectRefused(gatewayPath('channel', channel.id, await mintToken(bob, -1000)), 401);
    await expectRefused(gatewayPath('channel', channel.id, bob.token, 'nope'), 400);
    // A later real join is the first thing Alice hears about Bob.
    const bobSocket = closer.add(await GatewaySocket.channel(server.url, channel.id, bob.token));
    const joined = await watcher.first((e) => e.type === 'user_joined' && e.user_id === bob.id);
    expect(joined).toEqual({ type: 'user_joined', user_id: bob.id, username: bob.username, channel_id: channel.id });
    expect(watcher.events.items.filter((e) => e.user_id === bob.id && e.type === 'user_joined')).toHaveLength(1);
    expect(bobSocket.events.items[0].users.sort()).toEqual([alice.id, bob.id].sort());
  });
});
