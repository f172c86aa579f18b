import { tracked, TRPCError, type TrackedEnvelope } from '@trpc/server';
import type { EndReason, LiveSource, Sink } from '../realtime/sink.ts';

/** Marks a subscription result the Bun WebSocket transport can serve natively (shared frames). */
export const LIVE = Symbol.for('parley.live');

/**
 * What subscription procedures return. The Bun transport opens `[LIVE]` directly with a sink
 * that writes tRPC frames (sharing them through native topics); any other consumer (tRPC's
 * own adapters, `createCaller`) iterates it and gets `tracked(seq, event)` for durable events.
 */
export class LiveSubscription<TDurable, TEphemeral> implements AsyncIterable<TrackedEnvelope<TDurable> | TEphemeral> {
  readonly [LIVE]: LiveSource;

  constructor(source: LiveSource<TDurable, TEphemeral>) {
    this[LIVE] = source;
  }

  [Symbol.asyncIterator](): AsyncIterator<TrackedEnvelope<TDurable> | TEphemeral> {
    type Item = TrackedEnvelope<TDurable> | TEphemeral;
    const queue: Item[] = [];
    let wake: (() => void) | null = null;
    let ended: EndReason | null = null;
    let failure: unknown = null;
    let done = false;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const sink: Sink = {
      userId: this[LIVE].userId,
      shareKey: null,
      started() {},
      frame: () => '',
      deliver(id, json, isTracked) {
        const event = JSON.parse(json);
        queue.push(isTracked ? (tracked(String(id), event) as Item) : event);
        notify();
      },
      joinTopic() {},
      leaveTopic() {},
      end(reason) {
        ended = reason;
        notify();
      },
    };
    const opening = this[LIVE].open(sink).catch((err) => {
      failure = err;
      notify();
      return () => {};
    });
    const close = async () => {
      done = true;
      (await opening)();
    };

    return {
      async next() {
        while (true) {
          if (queue.length) return { value: queue.shift()!, done: false };
          if (failure) throw failure;
          if (ended) {
            await close();
            throw new TRPCError({ code: ended.code, message: ended.message });
          }
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      async return() {
        await close();
        notify();
        return { value: undefined, done: true };
      },
    };
  }
}

/** Whether a procedure's result is a live subscription the transport can open natively. */
export const isLive = (value: unknown): value is { [LIVE]: LiveSource } => typeof value === 'object' && value !== null && LIVE in value;

/** Wraps a service's live stream for tRPC; an ended stream becomes the matching TRPCError here. */
export const live = <TDurable, TEphemeral>(source: LiveSource<TDurable, TEphemeral>) => new LiveSubscription<TDurable, TEphemeral>(source);
