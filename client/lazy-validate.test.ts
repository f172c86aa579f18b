import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { Collector } from '../server/test/helpers/events.ts';
import { startParley, type ParleyFixture } from '../server/testing/index.ts';
import { createParleyClient, ParleyContractError, streamHandlers, type ChannelEvent, type WebSocketImplementation } from './index.ts';
import { eventValidationLink } from './validation-link.ts';

/** The socket opens only when needed; `validateEvents` checks what subscriptions yield. */

let parley: ParleyFixture;
beforeAll(async () => {
  // parley/testing as a suite uses it: embedded, or a fresh database on the PostgreSQL server given.
  parley = await startParley({
    databaseUrl: process.env.DATABASE_URL ?? null,
    redisUrl: process.env.DATABASE_URL ? (process.env.REDIS_URL ?? null) : null,
  });
}, 180_000);
afterAll(() => parley?.stop(), 30_000);

/** A WebSocket implementation that counts the sockets the client opens. */
function countingWebSocket() {
  const opened: string[] = [];
  class Counting extends WebSocket {
    constructor(url: string | URL) {
      super(url);
      opened.push(String(url));
    }
  }
  return { WebSocket: Counting as WebSocketImplementation, opened };
}

describe('the socket opens lazily', () => {
  test('a guest and an HTTP-only client never open one; the first subscription does, once', async () => {
    const ws = countingWebSocket();
    const guest = createParleyClient({ url: parley.url, token: '', WebSocket: ws.WebSocket });
    const session = await guest.auth.register.mutate({
      username: `lazy_${crypto.randomUUID().slice(0, 8)}`,
      password: 'analytical-engine',
    });
    const client = createParleyClient({ url: parley.url, session, WebSocket: ws.WebSocket });
    const group = await client.groups.create.mutate({ name: 'lazy' });
    const channel = await client.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' });
    expect(await client.auth.me.query()).toMatchObject({ username: session.user.username });
    expect(ws.opened).toEqual([]);
    guest.close(); // nothing to close: must not throw

    const events = new Collector<ChannelEvent>();
    const sub = client.realtime.channel.subscribe(
      { channel_id: channel.id },
      streamHandlers<ChannelEvent>({ onEvent: events.push, onError: events.fail }),
    );
    const sub2 = client.realtime.me.subscribe(undefined, { onData: () => {} });
    await events.until((items) => items.some((e) => e.type === 'online_users'), 15_000, 'online_users');
    expect(ws.opened.map((u) => u.replace(/\?.*$/, ''))).toEqual([parley.wsUrl]);
    sub.unsubscribe();
    sub2.unsubscribe();
    client.close();
  }, 30_000);

  test('without any WebSocket implementation, an HTTP-only client still works', async () => {
    const original = globalThis.WebSocket;
    // What Node 20 looks like: no global WebSocket.
    (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
    try {
      const guest = createParleyClient({ url: parley.url, token: '' });
      const session = await guest.auth.register.mutate({
        username: `nows_${crypto.randomUUID().slice(0, 8)}`,
        password: 'analytical-engine',
      });
      expect(session.user.username).toStartWith('nows_');
      guest.close();
    } finally {
      globalThis.WebSocket = original;
    }
  }, 30_000);
});

describe('validateEvents', () => {
  test("a real server's events pass the contract's schemas", async () => {
    const guest = createParleyClient({ url: parley.url, token: '' });
    const session = await guest.auth.register.mutate({ username: `val_${crypto.randomUUID().slice(0, 8)}`, password: 'analytical-engine' });
    const client = createParleyClient({ url: parley.url, session, validateEvents: true });
    const group = await client.groups.create.mutate({ name: 'validated' });
    const channel = await client.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' });
    const events = new Collector<[ChannelEvent, number | null]>();
    const sub = client.realtime.channel.subscribe(
      { channel_id: channel.id },
      streamHandlers<ChannelEvent>({
        onEvent: (e, seq) => events.push([e, seq]),
        onError: events.fail,
        onStarted: () => void client.messages.send.mutate({ channel_id: channel.id, content: 'checked', nonce: crypto.randomUUID() }),
      }),
    );
    const [[message, seq]] = (await events.count(([e]) => e.type === 'message', 1, 15_000)) as [[ChannelEvent, number]];
    expect(message).toMatchObject({ type: 'message', content: 'checked', channel_id: channel.id });
    expect(seq).toBe(1);
    await client.messages.react.mutate({ message_id: (message as { id: string }).id, emoji: '👍' });
    await events.count(([e]) => e.type === 'reaction_added', 1, 15_000);
    expect(events.errors).toEqual([]);
    sub.unsubscribe();
    client.close();
  }, 30_000);

  /** A terminating link that yields the given subscription results, as a server would. */
  const fakeServer =
    (results: unknown[]): TRPCLink<AnyRouter> =>
    () =>
    () =>
      observable((observer) => {
        for (const data of results) observer.next({ result: { type: 'data', ...(data as { data: unknown; id?: string }) } });
        return () => {};
      });
  const message = {
    type: 'message',
    id: crypto.randomUUID(),
    seq: 1,
    channel_id: crypto.randomUUID(),
    sender_id: crypto.randomUUID(),
    sender_username: 'ada',
    content: 'hi',
    created_at: new Date().toISOString(),
    edited_at: null,
    reactions: [],
    attachments: [],
  };

  test('an event that drifted from the contract ends the subscription with a ParleyContractError, after the good ones in order', async () => {
    const results = [
      { id: '1', data: message },
      { data: { type: 'typing', user_id: message.sender_id, username: 'ada', is_typing: true, channel_id: message.channel_id } },
      { id: '2', data: { ...message, seq: 2, senderId: message.sender_id, sender_id: undefined } },
      { id: '3', data: { ...message, seq: 3 } },
    ];
    const client = createTRPCClient<AnyRouter>({ links: [eventValidationLink(), fakeServer(results)] }) as unknown as {
      realtime: { channel: { subscribe(input: unknown, opts: object): { unsubscribe(): void } } };
    };
    const got = new Collector<unknown>();
    client.realtime.channel.subscribe({}, { onData: got.push, onError: got.fail });
    await got.until(() => got.errors.length > 0, 5000, 'the contract error');
    expect(got.items).toEqual([results[0]!.data, results[1]!.data]);
    const err = got.errors[0];
    expect(err).toBeInstanceOf(TRPCClientError);
    const cause = (err as TRPCClientError<AnyRouter>).cause;
    expect(cause).toBeInstanceOf(ParleyContractError);
    expect((cause as ParleyContractError).path).toBe('realtime.channel');
    expect((cause as ParleyContractError).issues.map((i) => i.path.join('.'))).toContain('sender_id');
  });

  test('a subscription with no known event schema is refused, not passed through', async () => {
    const client = createTRPCClient<AnyRouter>({ links: [eventValidationLink(), fakeServer([{ data: { type: 'x' } }])] }) as unknown as {
      realtime: { unknown: { subscribe(input: unknown, opts: object): { unsubscribe(): void } } };
    };
    const got = new Collector<unknown>();
    client.realtime.unknown.subscribe({}, { onData: got.push, onError: got.fail });
    await got.until(() => got.errors.length > 0, 5000, 'the contract error');
    expect(got.items).toEqual([]);
    expect(String((got.errors[0] as Error).cause)).toContain('no event schema');
  });
});
