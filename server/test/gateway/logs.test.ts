import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { Channel } from '../../../shared/entities.ts';
import { createTokenService } from '../../auth/tokens.ts';
import { errorCode, follow, groupWithChannel, httpClient, mintToken, type Registered, users, wsClient } from '../helpers/fixtures.ts';
import { GatewaySocket, gatewayPath, startLoggedServer, upgradeAttempt, type LoggedTestServer } from '../helpers/gateway.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/**
 * Tokens travel in gateway URLs (`?token=`): they must never reach the logs, not even at debug
 * level and not when the request fails.
 */

let server: LoggedTestServer;
let alice: Registered, bob: Registered;
let channel: Channel;

beforeAll(async () => {
  server = await startLoggedServer({ LOG_LEVEL: 'debug' });
  [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  ({ channel } = await groupWithChannel(alice, [bob]));
}, 60_000);
afterAll(() => server?.stop(), 30_000);

describe('tokens never reach the logs', () => {
  test('after successful and failing requests with tokens in URLs, headers and connectionParams', async () => {
    const expired = await mintToken(alice, -1000);
    const foreign = (
      await createTokenService(new TextEncoder().encode('some-other-secret-that-is-long-enough-0123456789')).sign(alice.id, alice.username)
    ).token;
    const refresh = alice.session.refresh_token;
    const secrets: string[] = [alice.token, bob.token, expired, foreign, refresh];

    // Gateway sockets that work: messages, typing, a malformed frame, a wrong-socket frame.
    const ok = await GatewaySocket.channel(server.url, channel.id, alice.token);
    ok.send({ type: 'message', content: 'logged?' });
    await ok.first((e) => e.type === 'message' && e.content === 'logged?');
    await ok.expectError('not json');
    await ok.expectError({ type: 'dm_message', content: 'wrong socket' });
    const dm = await GatewaySocket.dm(server.url, alice.id, bob.token);
    dm.send({ type: 'dm_typing', is_typing: true });
    await dm.first((e) => e.type === 'dm_typing');
    await ok.close();
    await dm.close();

    // Gateway upgrades that fail, with the token in the URL.
    const refused: Array<[string, number]> = [
      [gatewayPath('channel', channel.id, expired), 401],
      [gatewayPath('channel', channel.id, foreign), 401],
      [gatewayPath('channel', channel.id, refresh), 401],
      [gatewayPath('dm', bob.id, expired), 401],
      [gatewayPath('channel', crypto.randomUUID(), alice.token), 404],
      [gatewayPath('dm', crypto.randomUUID(), alice.token), 404],
      [gatewayPath('dm', alice.id, alice.token), 400],
      [gatewayPath('channel', channel.id, alice.token, 'not-a-seq'), 400],
      [`/ws/nowhere/${channel.id}?token=${encodeURIComponent(alice.token)}`, 404],
    ];
    for (const [path, status] of refused) expect((await upgradeAttempt(server.url, path)).status).toBe(status);

    // tRPC over HTTP: bearer headers (good and bad) and a token misplaced in the query string.
    expect((await alice.client.auth.me.query()).id).toBe(alice.id);
    expect(await errorCode(httpClient(server.url, expired).auth.me.query())).toBe('UNAUTHORIZED');
    expect(await errorCode(httpClient(server.url, foreign).messages.send.mutate({ channel_id: channel.id, content: 'x' }))).toBe(
      'UNAUTHORIZED',
    );
    const misplaced = await fetch(`${server.url}/trpc/auth.me?token=${encodeURIComponent(alice.token)}`);
    expect(misplaced.status).toBe(401);
    await misplaced.text();

    // Refresh rotation, then a replay of the spent refresh token (which revokes the family).
    const rotated = await httpClient(server.url).auth.refresh.mutate({ refresh_token: refresh });
    secrets.push(rotated.access_token, rotated.refresh_token);
    expect(await errorCode(httpClient(server.url).auth.refresh.mutate({ refresh_token: refresh }))).toBe('UNAUTHORIZED');

    // tRPC over a WebSocket: connectionParams with a good and an expired token.
    const good = wsClient(server.url, bob.token);
    const sub = follow(good.api.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    good.close();
    const bad = wsClient(server.url, expired);
    expect(await errorCode(bad.api.auth.me.query())).toBe('UNAUTHORIZED');
    bad.close();

    // The capture works: the server did log (at least its start), as JSON lines.
    expect(server.logs.length).toBeGreaterThan(0);
    for (const line of server.logs) expect(() => JSON.parse(line)).not.toThrow();
    expect(server.logs.some((l) => JSON.parse(l).msg === 'listening')).toBe(true);

    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(20);
      const signature = secret.split('.').at(-1)!;
      for (const line of server.logs) {
        expect(line).not.toContain(secret);
        expect(line).not.toContain(encodeURIComponent(secret));
        // A JWT's signature is what makes it a credential: not even that part may appear.
        expect(line).not.toContain(signature);
      }
    }
    for (const line of server.logs) expect(line).not.toContain('token=');
  });
});
