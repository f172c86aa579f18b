import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { createTokenService } from '../../auth/tokens.ts';
import { httpClient, uniqueName } from '../helpers/clients.ts';
import { eventually } from '../helpers/events.ts';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, errorCode, follow, groupWithChannel, mintToken, users, type Registered } from '../helpers/rt-fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

let server: TestServer;
const closer = new Closer();
let alice: Registered, bob: Registered;
let groupId: string, channelId: string;
beforeAll(async () => {
  server = await startTestServer();
  [alice, bob] = (await users(server.url, 'alice', 'bob')) as [Registered, Registered];
  const { group, channel } = await groupWithChannel(alice, [bob]);
  groupId = group.id;
  channelId = channel.id;
}, 60_000);
afterEach(() => closer.closeAll());
afterAll(() => server?.stop(), 30_000);

const bobOnline = async () => (await alice.client.groups.members.query({ group_id: groupId })).find((m) => m.user.id === bob.id)!.online;

describe('access token expiry', () => {
  test('the server closes a socket with 4001 when its access token expires', async () => {
    const raw = closer.add(await RawSocket.open(server.url, { token: await mintToken(bob, 2000) }));
    expect((await raw.call(1, 'query', 'auth.me')).result.data.id).toBe(bob.id);
    expect((await raw.subscribe(2, 'realtime.channel', { channel_id: channelId })).result.type).toBe('started');
    expect(await bobOnline()).toBe(true);

    const closed = await Promise.race([
      raw.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket not closed within 15 s')), 15_000)),
    ]);
    expect(closed.code).toBe(4001);
    await eventually(async () => (await bobOnline()) === false, 5000, 'bob offline after the close');
  }, 20_000);

  test('a stock client whose token expired is closed with 4001 and its resubscription is UNAUTHORIZED', async () => {
    const token = await mintToken(bob, 2000);
    const closeCodes: Array<number | undefined> = [];
    const ws = createWSClient({
      url: server.wsUrl,
      connectionParams: { token },
      retryDelayMs: () => 50,
      onClose: (cause) => closeCodes.push(cause?.code),
    });
    closer.add({ close: () => ws.close() });
    const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const sub = follow(api.realtime.channel, { channel_id: channelId });
    await sub.events.first((e) => e.type === 'online_users');
    const err: any = await sub.events.error(15_000);
    expect(err.data?.code).toBe('UNAUTHORIZED');
    expect(closeCodes[0]).toBe(4001);
  }, 20_000);

  test('procedures called with an expired token are UNAUTHORIZED, over HTTP and over a socket', async () => {
    const expired = await mintToken(bob, -1000);
    const http = httpClient(server.url, expired);
    expect(await errorCode(http.auth.me.query())).toBe('UNAUTHORIZED');
    expect(await errorCode(http.messages.send.mutate({ channel_id: channelId, content: 'late' }))).toBe('UNAUTHORIZED');
    expect(await errorCode(http.realtime.typing.mutate({ channel_id: channelId, is_typing: true }))).toBe('UNAUTHORIZED');

    const raw = closer.add(await RawSocket.open(server.url, { token: expired }));
    const me = await raw.call(1, 'query', 'auth.me');
    expect(me.error.data.code).toBe('UNAUTHORIZED');
    expect(me.error.code).toBe(-32001);
    expect((await raw.subscribe(2, 'realtime.channel', { channel_id: channelId })).error.data.code).toBe('UNAUTHORIZED');
    expect((await alice.client.messages.list.query({ channel_id: channelId })).items.map((m) => m.content)).not.toContain('late');
  });
});

describe('a socket without a valid access token', () => {
  const variants: Array<[string, () => Promise<RawSocket>]> = [
    ['no connectionParams at all', () => RawSocket.open(server.url)],
    ['an empty token', () => RawSocket.open(server.url, { token: '' })],
    ['a garbage token', () => RawSocket.open(server.url, { token: 'not.a.jwt' })],
    [
      'a token signed with another secret',
      async () => {
        const other = createTokenService(new TextEncoder().encode('some-other-secret-that-is-long-enough-0123456789'));
        return RawSocket.open(server.url, { token: (await other.sign(bob.id, bob.username)).token });
      },
    ],
    ['an expired token', async () => RawSocket.open(server.url, { token: await mintToken(bob, -1000) })],
  ];

  for (const [name, open] of variants) {
    test(`with ${name}: authed procedures are UNAUTHORIZED, public ones work, and the socket stays usable`, async () => {
      const raw = closer.add(await open());
      const me = await raw.call(1, 'query', 'auth.me');
      expect(me.error.data.code).toBe('UNAUTHORIZED');
      const sub = await raw.subscribe(2, 'realtime.channel', { channel_id: channelId });
      expect(sub.error.data.code).toBe('UNAUTHORIZED');
      const send = await raw.call(3, 'mutation', 'messages.send', { channel_id: channelId, content: 'anon' });
      expect(send.error.data.code).toBe('UNAUTHORIZED');
      const me2 = await raw.subscribe(4, 'realtime.me', undefined);
      expect(me2.error.data.code).toBe('UNAUTHORIZED');

      // Public procedures still answer on the same socket.
      const username = uniqueName('anon');
      const registered = await raw.call(5, 'mutation', 'auth.register', { username, password: 'correct horse battery' });
      expect(registered.result.data.user.username).toBe(username);
      const login = await raw.call(6, 'mutation', 'auth.login', { username: bob.username, password: 'correct horse battery' });
      expect(login.result.data.user.id).toBe(bob.id);
      expect(raw.isOpen).toBe(true);
      // Logging in over the socket does not authenticate it: still UNAUTHORIZED, still open.
      expect((await raw.call(7, 'query', 'auth.me')).error.data.code).toBe('UNAUTHORIZED');
      await raw.barrier();
      expect(raw.isOpen).toBe(true);
    });
  }
});
