import { afterAll, afterEach, beforeAll } from 'bun:test';
import type { Account } from './clients.ts';
import { wsClient } from './clients.ts';
import { eventually } from './events.ts';
import { startTestServer, type TestServer } from './server.ts';
import { Closer, follow, metric } from './streams.ts';

/**
 * The preamble most suites repeated: one real server for the file, every socket a test opened
 * closed after that test, the server stopped after the file; plus the usual ways of watching a
 * stream with a stock WebSocket client. Call it at the top level of a test file:
 *
 *   const t = useTestServer();
 *   test('...', async () => {
 *     const [alice, bob] = await users(t.server, 'alice', 'bob');   // in process; t.server.url: over HTTP
 *     const { sub } = await t.watchChannel(alice, channelId);
 *   });
 */
export function useTestServer(env: Record<string, string> = {}) {
  let started: TestServer | undefined;
  const closer = new Closer();
  beforeAll(async () => {
    started = await startTestServer(env);
  }, 60_000);
  afterEach(() => closer.closeAll());
  afterAll(() => started?.stop(), 30_000);
  const server = (): TestServer => {
    if (!started) throw new Error('the test server has not started (use it inside tests or hooks)');
    return started;
  };

  /** A stock WebSocket client for `user`, closed after the test. */
  const device = (user: Account) => closer.add(wsClient(server().url, user.token));
  /** Open tRPC sockets on the server right now. */
  const sockets = () => metric(server().url, 'parley_ws_connections', 'protocol="trpc"');

  return {
    get server() {
      return server();
    },
    closer,
    device,
    sockets,
    /** Follows a channel from a new device of `user`; resolves once `online_users` arrived. */
    async watchChannel(user: Account, channelId: string) {
      const ws = device(user);
      const sub = follow(ws.api.realtime.channel, { channel_id: channelId });
      await sub.events.first((e) => e.type === 'online_users');
      return { ws, sub };
    },
    /** Follows the DM stream with `partnerId` from a new device of `user`; resolves once the partner's presence arrived. */
    async watchDm(user: Account, partnerId: string) {
      const ws = device(user);
      const sub = follow(ws.api.realtime.dm, { user_id: partnerId });
      await sub.events.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
      return { ws, sub };
    },
    /** Follows `realtime.me` from a new device of `user`; resolves once the server confirmed it. */
    async watchMe(user: Account) {
      const ws = device(user);
      const me = follow(ws.api.realtime.me, undefined);
      await me.started;
      return { ...ws, me };
    },
    /** Closes `ws` and waits until the server has processed the close. */
    async disconnect(ws: { close(): unknown }) {
      const before = await sockets();
      await ws.close();
      await eventually(async () => (await sockets()) < before, 5000, 'the server to see the socket close');
    },
  };
}
