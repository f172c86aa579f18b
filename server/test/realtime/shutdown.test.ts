import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { startParley, type Parley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { httpClient, register } from '../helpers/clients.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { RawSocket } from '../helpers/raw.ts';
import { Closer, follow, range, sendMany } from '../helpers/rt-fixtures.ts';
import { TEST_JWT_SECRET } from '../helpers/server.ts';

// Servers, databases and sockets under a loaded machine: generous, never relied upon for timing.
setDefaultTimeout(30_000);

const closer = new Closer();
afterEach(() => closer.closeAll(), 30_000);

/** Two Parley nodes over one database (each with its own in-process bus), stopped independently. */
async function twoNodes() {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-shutdown-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'error',
    RATE_LIMIT_MESSAGES: 'off',
    SHUTDOWN_GRACE_SECONDS: '0',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
  });
  const nodes: Parley[] = [await startParley(config, { database: db.database }), await startParley(config, { database: db.database })];
  const stopped = new Set<Parley>();
  const stop = async (node: Parley) => {
    if (stopped.has(node)) return;
    stopped.add(node);
    await node.stop();
  };
  closer.add({
    close: async () => {
      for (const node of nodes) await stop(node);
      await db.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
  return { a: nodes[0]!, b: nodes[1]!, stop };
}

describe('graceful shutdown', () => {
  test('stop() tells every connected tRPC socket to reconnect, then closes it', async () => {
    const { a, stop } = await twoNodes();
    const alice = await register(a.url, 'alice');
    const group = await alice.client.groups.create.mutate({ name: 'g' });
    const channel = await alice.client.channels.create.mutate({ group_id: group.id, name: 'c', type: 'TEXT' });
    const raws = [
      closer.add(await RawSocket.open(a.url, { token: alice.token })),
      closer.add(await RawSocket.open(a.url)),
      closer.add(await RawSocket.open(a.url, { token: alice.token })),
    ];
    expect((await raws[2]!.subscribe(1, 'realtime.channel', { channel_id: channel.id })).result.type).toBe('started');
    for (const r of raws) await r.barrier();

    await stop(a);
    for (const r of raws) {
      const reconnect = await r.frames.first((f) => f.json?.method === 'reconnect');
      expect(reconnect.text).toBe('{"id":null,"method":"reconnect"}');
      const closed = await r.closed;
      expect(closed.code).not.toBe(1006);
      // The reconnect request is the last thing the socket got before the close.
      expect(r.frames.items.at(-1)!.text).toBe('{"id":null,"method":"reconnect"}');
    }
  }, 60_000);

  test('a stock client told to reconnect moves to another node and resumes from its lastEventId', async () => {
    const { a, b, stop } = await twoNodes();
    const alice = await register(a.url, 'alice');
    const bob = await register(a.url, 'bob');
    const group = await alice.client.groups.create.mutate({ name: 'g' });
    await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: bob.id });
    const channel = await alice.client.channels.create.mutate({ group_id: group.id, name: 'c', type: 'TEXT' });

    // The load balancer: node A until it goes away, then node B. B's connections are held at
    // connectionParams until the test has sent what Bob misses in between.
    let target = a.url;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const ws = createWSClient({
      url: () => `${target.replace(/^http/, 'ws')}/trpc`,
      connectionParams: async () => {
        if (target === b.url) await held;
        return { token: bob.token };
      },
      retryDelayMs: () => 50,
    });
    closer.add({
      close: () => {
        release();
        return ws.close();
      },
    });
    const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const sub = follow(api.realtime.channel, { channel_id: channel.id });
    await sub.events.first((e) => e.type === 'online_users');
    await sendMany(alice.client, channel.id, 3, 1);
    await sub.events.until(() => sub.seqs().length === 3);

    target = b.url;
    await stop(a);
    const viaB = httpClient(b.url, alice.token);
    const missed = await sendMany(viaB, channel.id, 20, 5);
    release();
    await sub.events.until(() => sub.seqs().includes(23), 10_000, 'the messages sent while moving');
    const live = await viaB.messages.send.mutate({ channel_id: channel.id, content: 'on node B' });
    await sub.events.first((e) => e._seq === live.seq);
    expect((await api.auth.me.query()).id).toBe(bob.id);

    expect(sub.seqs()).toEqual(range(1, 24));
    expect(
      sub
        .of('message')
        .slice(3, 23)
        .map(({ _seq, ...m }) => m),
    ).toEqual(missed.map((m) => ({ type: 'message', ...m })));
    expect(sub.events.errors).toEqual([]);
  }, 60_000);
});
