import { describe, expect, expectTypeOf, test } from 'bun:test';
// The only project import: what a frontend gets from the client package alone. (`@trpc/server`'s
// inferRouter* helpers are the stock way to read a router type; a tRPC frontend has them anyway.)
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import {
  LIMITS,
  streamHandlers,
  TRPCClientError,
  type AppRouter,
  type Channel,
  type ChannelEvent,
  type DirectMessage,
  type DmEvent,
  type Group,
  type MeEvent,
  type Message,
  type ParleyClient,
  type Session,
  type User,
} from './index.ts';

/**
 * Type-level contract of the client package. `tsc --noEmit -p .` (CI) checks this file: every
 * `expectTypeOf(...).toEqualTypeOf` and `@ts-expect-error` below fails compilation if the types
 * regress. At runtime the assertions are no-ops; the test only checks the few runtime exports.
 */

type In = inferRouterInputs<AppRouter>;
type Out = inferRouterOutputs<AppRouter>;

/** What a procedure's `.query`/`.mutate` resolves to, read off the client type itself. */
type Result<F> = F extends (...args: any[]) => Promise<infer R> ? R : never;
/** The first argument of a procedure call. */
type Input<F> = F extends (input: infer I, ...rest: any[]) => any ? I : never;
/** What a subscription yields (to `onData`, or to `for await` without callbacks). */
type Yielded<P> = P extends { subscribe: (...args: any[]) => AsyncIterableIterator<infer V> } ? V : never;
/** A tracked `{ id, data }` envelope replaced by the event it carries. */
type Flatten<T> = T extends { id: string; data: infer D } ? (T extends { type: string } ? T : D) : T;

/** Exact type equality that `tsc` checks (the `expectTypeOf` helpers are the readable form). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>() => undefined as unknown as T;

describe('procedure inputs and outputs', () => {
  test('outputs, through inferRouterOutputs<AppRouter>', () => {
    expectTypeOf<Out['messages']['send']>().toEqualTypeOf<Message>();
    expectTypeOf<Out['messages']['send']['seq']>().toEqualTypeOf<number>();
    expectTypeOf<Out['messages']['send']['edited_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<Out['messages']['list']['items']>().toEqualTypeOf<Message[]>();
    expectTypeOf<Out['auth']['login']>().toEqualTypeOf<Session>();
    expectTypeOf<Out['auth']['me']>().toEqualTypeOf<User>();
    expectTypeOf<Out['groups']['get']>().toMatchTypeOf<Group>();
    expectTypeOf<Out['groups']['get']['my_role']>().toEqualTypeOf<Group['my_role']>();
    expectTypeOf<Out['channels']['create']>().toMatchTypeOf<Channel>();
    expectTypeOf<Out['channels']['create']['type']>().toEqualTypeOf<'TEXT' | 'VOICE' | 'VIDEO'>();
    expectTypeOf<Out['dms']['send']>().toEqualTypeOf<DirectMessage>();
    expectTypeOf<Out['realtime']['typing']>().toEqualTypeOf<{ ok: true }>();
    assert<Equals<Out['messages']['send']['seq'], number>>();
    assert<Equals<Out['dms']['send']['recipient_id'], string>>();
  });

  test('inputs, through inferRouterInputs<AppRouter>', () => {
    expectTypeOf<In['messages']['send']>().toEqualTypeOf<{
      channel_id: string;
      content: string;
      nonce?: string | undefined;
      attachment_ids?: string[] | undefined;
    }>();
    expectTypeOf<In['channels']['create']['type']>().toEqualTypeOf<'TEXT' | 'VOICE' | 'VIDEO'>();
    expectTypeOf<In['realtime']['channel']['channel_id']>().toEqualTypeOf<string>();
    expectTypeOf<In['auth']['refresh']>().toEqualTypeOf<{ refresh_token: string }>();
    assert<Equals<In['dms']['send']['user_id'], string>>();
  });

  test('the same types read off ParleyClient alone', () => {
    expectTypeOf<Result<ParleyClient['messages']['send']['mutate']>>().toEqualTypeOf<Message>();
    expectTypeOf<Result<ParleyClient['messages']['send']['mutate']>['seq']>().toEqualTypeOf<number>();
    expectTypeOf<Result<ParleyClient['auth']['me']['query']>>().toEqualTypeOf<User>();
    expectTypeOf<Result<ParleyClient['dms']['list']['query']>['items']>().toEqualTypeOf<DirectMessage[]>();
    expectTypeOf<Input<ParleyClient['messages']['send']['mutate']>>().toEqualTypeOf<In['messages']['send']>();
    expectTypeOf<ParleyClient['close']>().toEqualTypeOf<() => void>();
  });
});

describe('realtime events', () => {
  test('realtime.channel yields the ChannelEvent union (tracked ones inside { id, data })', () => {
    type Y = Yielded<ParleyClient['realtime']['channel']>;
    expectTypeOf<Flatten<Y>>().toEqualTypeOf<ChannelEvent>();
    assert<Equals<Flatten<Y>, ChannelEvent>>();
    // Durable events come tracked: their envelope's id is the stream position, a string.
    type Envelope = Extract<Y, { id: string; data: unknown }>;
    type Durable = 'message' | 'message_updated' | 'message_deleted' | 'reaction_added' | 'reaction_removed';
    expectTypeOf<Envelope['id']>().toEqualTypeOf<string>();
    expectTypeOf<Envelope['data']>().toEqualTypeOf<Extract<ChannelEvent, { type: Durable }>>();
    // Ephemeral ones come bare.
    expectTypeOf<Extract<Y, { type: 'typing' }>>().toEqualTypeOf<Extract<ChannelEvent, { type: 'typing' }>>();
    expectTypeOf<Extract<Y, { type: 'online_users' }>['users']>().toEqualTypeOf<string[]>();
  });

  test('realtime.dm and realtime.me yield DmEvent and MeEvent', () => {
    expectTypeOf<Flatten<Yielded<ParleyClient['realtime']['dm']>>>().toEqualTypeOf<DmEvent>();
    expectTypeOf<Flatten<Yielded<ParleyClient['realtime']['me']>>>().toEqualTypeOf<MeEvent>();
  });

  test('the unions narrow on type', () => {
    const onEvent = (e: ChannelEvent) => {
      if (e.type === 'message') {
        expectTypeOf(e.seq).toEqualTypeOf<number>();
        expectTypeOf(e.sender_username).toEqualTypeOf<string>();
      } else if (e.type === 'typing') {
        expectTypeOf(e.is_typing).toEqualTypeOf<boolean>();
      } else if (e.type === 'resync_required') {
        expectTypeOf(e.latest_seq).toEqualTypeOf<number>();
      }
      expectTypeOf(e.type).toEqualTypeOf<ChannelEvent['type']>();
    };
    expectTypeOf<Parameters<typeof onEvent>[0]>().toEqualTypeOf<ChannelEvent>();
    expectTypeOf<ChannelEvent['type']>().toEqualTypeOf<
      | 'online_users'
      | 'user_joined'
      | 'user_left'
      | 'message'
      | 'message_updated'
      | 'message_deleted'
      | 'reaction_added'
      | 'reaction_removed'
      | 'typing'
      | 'webrtc_offer'
      | 'webrtc_answer'
      | 'webrtc_ice_candidate'
      | 'resync_required'
    >();
    expectTypeOf<Extract<DmEvent, { type: 'dm_message' }>>().toMatchTypeOf<DirectMessage>();
  });

  test('streamHandlers fits a subscription and hands out (event, seq)', () => {
    const handlers = streamHandlers<ChannelEvent>({ onEvent: () => {} });
    // Whatever realtime.channel yields, handlers.onData takes.
    expectTypeOf<Yielded<ParleyClient['realtime']['channel']>>().toMatchTypeOf<Parameters<typeof handlers.onData>[0]>();
    type Handlers = Parameters<typeof streamHandlers<ChannelEvent>>[0];
    expectTypeOf<Handlers['onEvent']>().toEqualTypeOf<(event: ChannelEvent, seq: number | null) => void>();
  });
});

/** Never called: only type-checked. Each misuse must be a compile error. */
export function misuses(c: ParleyClient) {
  // @ts-expect-error content is required
  void c.messages.send.mutate({ channel_id: 'x' });
  // @ts-expect-error inputs are snake_case on the wire
  void c.messages.send.mutate({ channelId: 'x', content: 'hi' });
  // @ts-expect-error content is a string
  void c.messages.send.mutate({ channel_id: 'x', content: 42 });
  // @ts-expect-error channel types are TEXT, VOICE or VIDEO
  void c.channels.create.mutate({ group_id: 'g', name: 'n', type: 'AUDIO' });
  // @ts-expect-error no such procedure
  void c.messages.shout.mutate({ channel_id: 'x', content: 'hi' });
  // @ts-expect-error a query is not a mutation
  void c.auth.me.mutate();
  // @ts-expect-error a subscription needs its channel_id
  c.realtime.channel.subscribe({}, {});
  c.realtime.channel.subscribe(
    { channel_id: 'x' },
    {
      onData(value) {
        // @ts-expect-error a yielded value is an event or a tracked envelope, never a Message as such
        const m: Message = value;
        void m;
      },
    },
  );
  // streamHandlers plugs straight into a subscription, typed by the event union.
  c.realtime.channel.subscribe(
    { channel_id: 'x' },
    streamHandlers<ChannelEvent>({
      onEvent(e, seq) {
        if (e.type === 'message') expectTypeOf(e.content).toEqualTypeOf<string>();
        expectTypeOf(seq).toEqualTypeOf<number | null>();
      },
    }),
  );
  c.realtime.dm.subscribe({ user_id: 'u' }, streamHandlers<DmEvent>({ onEvent: () => {} }));
  void c.messages.send.mutate({ channel_id: 'x', content: 'hi' }).then((m) => {
    // @ts-expect-error seq is a number
    const s: string = m.seq;
    void s;
  });
}

test('runtime exports of the client package', () => {
  expect(typeof misuses).toBe('function');
  expect(LIMITS.contentMax).toBe(4000);
  expect(LIMITS.wsFrameMaxBytes).toBe(64 * 1024);
  expect(typeof streamHandlers).toBe('function');
  expect(new TRPCClientError('x')).toBeInstanceOf(Error);
});
