import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  Closer,
  Collector,
  errorCode,
  eventually,
  follow,
  groupWithChannel,
  httpClient,
  metric,
  mintToken,
  type Registered,
  startTestServer,
  type TestServer,
  users,
} from '../server/test/helpers/fixtures.ts';
import { createParleyClient, streamHandlers, TRPCClientError, type Channel, type ChannelEvent, type Session } from './index.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

/** The typed client (`createParleyClient`) against a real server. */

const PASSWORD = 'correct horse battery';
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

/** A fresh session for `user` (refresh tokens rotate, so each test gets its own). */
const login = (user: Registered): Promise<Session> =>
  httpClient(server.url).auth.login.mutate({ username: user.username, password: PASSWORD });

const httpRequests = () => metric(server.url, 'parley_http_requests_total', 'route="trpc"');
const trpcSockets = () => metric(server.url, 'parley_ws_connections', 'protocol="trpc"');
/** Waits until the server has no tRPC sockets left (those of earlier tests close asynchronously). */
const noSockets = () => eventually(async () => (await trpcSockets()) === 0, 10_000, 'no tRPC sockets open');

/** A WebSocket implementation that records the close code of every socket the client opens. */
function recordingWebSocket() {
  const closes: number[] = [];
  const opened: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      opened.push(this);
      this.addEventListener('close', (e) => closes.push(e.code));
    }
  }
  return { WebSocket: Recording as unknown as typeof WebSocket, closes, opened };
}

describe('transports', () => {
  test('split (default): queries and mutations over HTTP batching, subscriptions over the WebSocket', async () => {
    await noSockets();
    const session = await login(alice);
    const c = closer.add(createParleyClient({ url: server.url, session }));

    const before = await httpRequests();
    const [me, groups, list] = await Promise.all([
      c.auth.me.query(),
      c.groups.list.query(),
      c.messages.list.query({ channel_id: channel.id, limit: 5 }),
    ]);
    expect(me).toEqual(session.user);
    expect(groups.map((g) => g.id)).toContain(channel.group_id);
    expect(Array.isArray(list.items)).toBe(true);
    const sent = await c.messages.send.mutate({ channel_id: channel.id, content: 'split: over HTTP' });
    expect(sent).toMatchObject({ channel_id: channel.id, sender_id: alice.id, content: 'split: over HTTP' });
    expect(typeof sent.seq).toBe('number');
    // Three batched queries and one mutation: at least two HTTP requests, at most four.
    const used = (await httpRequests()) - before;
    expect(used).toBeGreaterThanOrEqual(2);
    expect(used).toBeLessThanOrEqual(4);

    const sub = follow(c.realtime.channel, { channel_id: channel.id });
    const first = await sub.events.first(() => true);
    expect(first).toEqual({ type: 'online_users', users: [alice.id], channel_id: channel.id });
    expect(await trpcSockets()).toBe(1);
    const fromBob = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'split: to the subscriber' });
    expect(await sub.events.first((e) => e.type === 'message')).toEqual({ type: 'message', ...fromBob, _seq: fromBob.seq });

    c.close();
    await eventually(async () => (await trpcSockets()) === 0, 10_000, 'the socket closed by close()');
  });

  test('websocket: everything over the one socket, nothing over HTTP', async () => {
    await noSockets();
    const session = await login(alice);
    const c = closer.add(createParleyClient({ url: server.url, session, transport: 'websocket' }));
    const sub = follow(c.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');

    const before = await httpRequests();
    expect(await c.auth.me.query()).toEqual(session.user);
    const sent = await c.messages.send.mutate({ channel_id: channel.id, content: 'ws: over the socket' });
    expect(sent).toMatchObject({ sender_id: alice.id, content: 'ws: over the socket' });
    const page = await c.messages.list.query({ channel_id: channel.id, limit: 1 });
    expect(page.items[0]).toEqual(sent);
    expect(await c.realtime.typing.mutate({ channel_id: channel.id, is_typing: true })).toEqual({ ok: true });
    expect(await httpRequests()).toBe(before);
    expect(await trpcSockets()).toBe(1);

    // The subscriber on the same socket saw its own message and typing.
    expect(await sub.events.first((e) => e.type === 'message' && e.id === sent.id)).toEqual({ type: 'message', ...sent, _seq: sent.seq });
    expect(await sub.events.first((e) => e.type === 'typing')).toEqual({
      type: 'typing',
      user_id: alice.id,
      username: alice.username,
      is_typing: true,
      channel_id: channel.id,
    });
    // Errors keep their tRPC codes over the socket.
    expect(await errorCode(c.messages.send.mutate({ channel_id: crypto.randomUUID(), content: 'nowhere' }))).toBe('NOT_FOUND');
  });

  test('a fixed token and a getToken callback also work', async () => {
    const fixed = closer.add(createParleyClient({ url: server.url, token: bob.token }));
    expect((await fixed.auth.me.query()).id).toBe(bob.id);
    let calls = 0;
    const cb = closer.add(
      createParleyClient({
        url: server.url,
        getToken: async () => {
          calls++;
          return alice.token;
        },
      }),
    );
    expect((await cb.auth.me.query()).id).toBe(alice.id);
    expect(calls).toBeGreaterThan(0);
    // No token: public procedures answer, authed ones are UNAUTHORIZED.
    const anon = closer.add(createParleyClient({ url: server.url, getToken: () => null }));
    expect(await errorCode(anon.auth.me.query())).toBe('UNAUTHORIZED');
    expect((await anon.users.byUsername.query({ username: bob.username }).catch((e) => e)) instanceof TRPCClientError).toBe(true);
  });
});

describe('access-token refresh', () => {
  /** A session as an app would restore it from storage: its access token long expired, its refresh token still good. */
  async function staleSession(user: Registered): Promise<Session> {
    const fresh = await login(user);
    return { ...fresh, access_token: await mintToken(user, -60_000) };
  }

  for (const transport of ['split', 'websocket'] as const) {
    test(`${transport}: an expired access token is refreshed via auth.refresh, the call succeeds, onSession gets the rotated session`, async () => {
      const session = await staleSession(alice);
      const rotated: Session[] = [];
      const authErrors: unknown[] = [];
      const c = closer.add(
        createParleyClient({
          url: server.url,
          session,
          transport,
          onSession: (s) => rotated.push(s),
          onAuthError: (e) => authErrors.push(e),
        }),
      );
      expect(await c.auth.me.query()).toEqual(session.user);
      expect(authErrors).toEqual([]);
      expect(rotated).toHaveLength(1);
      const next = rotated[0]!;
      expect(next.user).toEqual(session.user);
      expect(next.access_token).not.toBe(session.access_token);
      expect(next.refresh_token).not.toBe(session.refresh_token);
      expect(next.expires_in).toBe(session.expires_in);
      // The rotated access token is a real one.
      expect((await httpClient(server.url, next.access_token).auth.me.query()).id).toBe(alice.id);

      // Further calls use it: no second refresh.
      const sent = await c.messages.send.mutate({ channel_id: channel.id, content: `${transport}: after refresh` });
      expect(sent.sender_id).toBe(alice.id);
      expect(rotated).toHaveLength(1);
      // The old refresh token was spent by the rotation (replaying it now would revoke the family).
      expect(next.refresh_token).not.toBe(session.refresh_token);
    });
  }

  test('split: after the refresh, subscriptions work too (the eagerly opened socket does not keep the expired token)', async () => {
    const session = await staleSession(bob);
    const rotated: Session[] = [];
    const c = closer.add(createParleyClient({ url: server.url, session, onSession: (s) => rotated.push(s) }));
    expect((await c.auth.me.query()).id).toBe(bob.id);
    expect(rotated).toHaveLength(1);
    const sub = follow(c.realtime.channel, { channel_id: channel.id });
    await sub.events.until((items) => items.some((e) => e.type === 'online_users') || sub.events.errors.length > 0, 10_000);
    expect(sub.events.errors.map((e) => (e as TRPCClientError<any>).data?.code ?? String(e))).toEqual([]);
    const m = await alice.client.messages.send.mutate({ channel_id: channel.id, content: 'after a restored session' });
    expect(await sub.events.first((e) => e.type === 'message' && e.id === m.id)).toEqual({ type: 'message', ...m, _seq: m.seq });
  });

  test('a session whose expires_in says it is about to lapse is refreshed before the call', async () => {
    const fresh = await login(alice);
    const rotated: Session[] = [];
    const c = closer.add(createParleyClient({ url: server.url, session: { ...fresh, expires_in: 5 }, onSession: (s) => rotated.push(s) }));
    expect((await c.auth.me.query()).id).toBe(alice.id);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]!.refresh_token).not.toBe(fresh.refresh_token);
  });

  test('concurrent calls with an expired token share one refresh', async () => {
    const session = await staleSession(bob);
    const rotated: Session[] = [];
    const c = closer.add(
      createParleyClient({ url: server.url, session: { ...session, expires_in: 0 }, onSession: (s) => rotated.push(s) }),
    );
    const results = await Promise.all([c.auth.me.query(), c.groups.list.query(), c.dms.conversations.query()]);
    expect(results[0].id).toBe(bob.id);
    expect(rotated).toHaveLength(1);
  });

  test('a revoked refresh token: the call fails UNAUTHORIZED and onAuthError is called', async () => {
    const session = await staleSession(bob);
    await httpClient(server.url).auth.logout.mutate({ refresh_token: session.refresh_token });
    const rotated: Session[] = [];
    const authErrors: unknown[] = [];
    const c = closer.add(
      createParleyClient({ url: server.url, session, onSession: (s) => rotated.push(s), onAuthError: (e) => authErrors.push(e) }),
    );
    expect(await errorCode(c.auth.me.query())).toBe('UNAUTHORIZED');
    expect(authErrors).toHaveLength(1);
    expect(authErrors[0]).toBeInstanceOf(TRPCClientError);
    expect((authErrors[0] as TRPCClientError<any>).data?.code).toBe('UNAUTHORIZED');
    expect(rotated).toEqual([]);
  });

  test('two clients sharing a session (two tabs) refresh in turn and both stay signed in', async () => {
    const session = await staleSession(alice);
    // What the tabs share: one stored session and one lock (the web app uses localStorage and Web Locks).
    let stored: Session = session;
    let queue = Promise.resolve();
    const shared = {
      load: () => stored,
      lock: <T>(work: () => Promise<T>) => {
        const turn = queue.then(work);
        queue = turn.then(
          () => {},
          () => {},
        );
        return turn;
      },
    };
    const authErrors: unknown[] = [];
    const tab = () =>
      closer.add(
        createParleyClient({
          url: server.url,
          session,
          shared,
          transport: 'websocket',
          onSession: (s) => (stored = s),
          onAuthError: (e) => authErrors.push(e),
        }),
      );
    const [a, b] = [tab(), tab()];
    const [meA, meB] = await Promise.all([a.auth.me.query(), b.auth.me.query()]);
    expect([meA.id, meB.id]).toEqual([alice.id, alice.id]);
    expect(authErrors).toEqual([]);
    expect(stored.refresh_token).not.toBe(session.refresh_token);
    // The family is intact: the rotated refresh token still works.
    expect((await httpClient(server.url).auth.refresh.mutate({ refresh_token: stored.refresh_token })).user.id).toBe(alice.id);
  });
});

describe('reconnect after the server closes an expired socket (4001)', () => {
  test('getToken: connectionParams are re-read on reconnect; the subscription resumes with nothing lost', async () => {
    const short = await mintToken(alice, 2500);
    const fresh = (await login(alice)).access_token;
    let current = short;
    let gate: Promise<void> | null = null;
    let release = () => {};
    const reconnecting = Promise.withResolvers<void>();
    const rec = recordingWebSocket();
    const c = closer.add(
      createParleyClient({
        url: server.url,
        WebSocket: rec.WebSocket,
        getToken: async () => {
          if (gate) {
            reconnecting.resolve();
            await gate;
          }
          return current;
        },
      }),
    );
    const sub = follow(c.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    const m1 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'before expiry' });
    await sub.events.first((e) => e.type === 'message' && e.id === m1.id);

    // From now on the app has a fresh token, and the next connection waits until we let it go.
    current = fresh;
    gate = new Promise<void>((resolve) => (release = resolve));
    await Promise.race([
      reconnecting.promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reconnect within 15 s')), 15_000)),
    ]);
    expect(rec.closes[0]).toBe(4001);

    // Sent while the client is away.
    const away = [];
    for (let i = 1; i <= 4; i++) away.push(await bob.client.messages.send.mutate({ channel_id: channel.id, content: `away ${i}` }));
    gate = null;
    release();

    await sub.events.count((e) => e.type === 'message', 5, 10_000);
    const live = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'live again' });
    await sub.events.first((e) => e.type === 'message' && e.id === live.id);
    expect(sub.of('message').map((m) => m.id)).toEqual([m1, ...away, live].map((m) => m.id));
    expect(sub.seqs()).toEqual([m1, ...away, live].map((m) => m.seq));
    expect(sub.events.errors).toEqual([]);
    expect(rec.opened).toHaveLength(2);
  }, 30_000);

  test('session: after a 4001 the client refreshes its session and the subscription resumes with nothing lost', async () => {
    // A socket that outlives its token: with no refresh margin the client connects with a token
    // that has ~2.5 s left, and the server closes the socket (4001) when it runs out.
    const session = { ...(await login(alice)), access_token: await mintToken(alice, 2500) };
    const rotated: Session[] = [];
    const authErrors: unknown[] = [];
    const rec = recordingWebSocket();
    const c = closer.add(
      createParleyClient({
        url: server.url,
        session,
        refreshMarginMs: 0,
        WebSocket: rec.WebSocket,
        onSession: (s) => rotated.push(s),
        onAuthError: (e) => authErrors.push(e),
      }),
    );
    const sub = follow(c.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    const m1 = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'session before expiry' });
    await sub.events.first((e) => e.type === 'message' && e.id === m1.id);

    await eventually(() => rec.closes.length > 0, 15_000, 'the server closing the expired socket');
    expect(rec.closes[0]).toBe(4001);
    const away = await bob.client.messages.send.mutate({ channel_id: channel.id, content: 'session away' });
    // The message, or the subscription's failure, whichever comes first.
    await sub.events.until((items) => items.some((e) => e.id === away.id) || sub.events.errors.length > 0, 10_000);
    expect(sub.events.errors.map((e) => (e as TRPCClientError<any>).data?.code ?? String(e))).toEqual([]);
    expect(sub.seqs()).toEqual([m1.seq, away.seq]);
    expect(rotated).toHaveLength(1);
    expect(authErrors).toEqual([]);
  }, 30_000);
});

describe('streamHandlers', () => {
  test('over a live subscription: online_users and typing with null, messages with their seq; onStarted and onError pass through', async () => {
    const { group, channel: room } = await groupWithChannel(alice, [bob]);
    const session = await login(bob);
    const c = closer.add(createParleyClient({ url: server.url, session }));
    const events = new Collector<[ChannelEvent, number | null]>();
    let started = 0;
    c.realtime.channel.subscribe(
      { channel_id: room.id },
      streamHandlers<ChannelEvent>({
        onEvent: (e, seq) => events.push([e, seq]),
        onStarted: () => started++,
        onError: (err) => events.fail(err),
      }),
    );
    await events.first(([e]) => e.type === 'online_users');
    await alice.client.realtime.typing.mutate({ channel_id: room.id, is_typing: true });
    await events.first(([e]) => e.type === 'typing');
    const m = await alice.client.messages.send.mutate({ channel_id: room.id, content: 'handled' });
    await events.first(([e]) => e.type === 'message');
    expect(started).toBe(1);
    // (Bob's own user_joined, which follows his online_users, is not what this test is about.)
    const others = events.items.filter(([e]) => !(e.type === 'user_joined' && e.user_id === bob.id));
    expect(others).toEqual([
      [{ type: 'online_users', users: [bob.id], channel_id: room.id }, null],
      [{ type: 'typing', user_id: alice.id, username: alice.username, is_typing: true, channel_id: room.id }, null],
      [{ type: 'message', ...m }, m.seq],
    ]);

    // The server ends the subscription (Bob is removed): onError with the tRPC code.
    await alice.client.groups.removeMember.mutate({ group_id: group.id, user_id: bob.id });
    const err = await events.error(10_000);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<any>).data?.code).toBe('NOT_FOUND');
  });
});
