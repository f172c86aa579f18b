import {
  callTRPCProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isTrackedEnvelope,
  TRPCError,
  type TRPCProcedureType,
} from '@trpc/server';
import { parseTRPCMessage, type TRPCClientOutgoingMessage, type TRPCResponseMessage } from '@trpc/server/rpc';
import type { ServerWebSocket } from 'bun';
import { CLOSE_CODES } from '../../../shared/close-codes.ts';
import type { Metrics } from '../metrics.ts';
import type { Logger } from '../../log.ts';
import { appRouter, directMutations } from '../../routers/index.ts';
import type { Services } from '../../services/index.ts';
import { createContextInner, type Context } from '../../trpc/context.ts';
import type { EndReason, LiveSource } from '../../realtime/sink.ts';
import { isLive, LIVE } from '../../trpc/live.ts';
import type { ExpiryWheel } from '../expiry.ts';
import { shareKey, type FrameBuilder } from './frames.ts';
import { TrpcSink, type LiveOwner } from './sink.ts';
import { LIMITS } from '../../../shared/limits.ts';

export interface TransportDeps {
  services: Services;
  log: Logger;
  metrics: Metrics;
  expiry: ExpiryWheel;
  /** Frame builders shared by every subscription with one tRPC id (see createFrameCache); released when a subscription ends. */
  frames: { acquire(key: string, idJson: string, jsonrpc: boolean): FrameBuilder; release(key: string, build: FrameBuilder): void };
}

type RequestId = string | number;

/** A running subscription: stopping it runs its close (detach, leave presence) once. */
class ActiveSubscription {
  stopped = false;
  private closer: { close(): void } | null = null;

  constructor(
    readonly requestId: RequestId,
    /** `JSON.stringify(requestId)`: its key in the connection's subscriptions. */
    readonly key: string,
    readonly jsonrpc: '2.0' | undefined,
    /** Frees the request's in-flight slot; dropped once the subscription has started. */
    public release: (() => void) | null,
  ) {}

  /** Hands over the close; runs it at once if the subscription was stopped meanwhile. */
  opened(closer: { close(): void }) {
    if (this.stopped) closer.close();
    else this.closer = closer;
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.closer?.close();
    this.closer = null;
  }
}

/** Subscriptions one socket may hold at once. */
const MAX_SUBSCRIPTIONS = LIMITS.wsSubscriptionsMax;

/**
 * One tRPC client on a Bun WebSocket, speaking tRPC's wire protocol: connectionParams auth,
 * queries, mutations and subscriptions (live ones opened natively with shared frames), stop,
 * PING/PONG. The context is built once per connection; the socket closes when its token expires.
 */
export class TrpcConnection implements LiveOwner<ActiveSubscription> {
  readonly id = crypto.randomUUID();
  private ctx: Promise<Context> | null = null;
  private readonly subscriptions = new Map<string, ActiveSubscription>();
  private caller: { id: string; username: string } | null = null;
  private closed = false;
  /** The tail of this socket's ordered requests (typing, signals); null when none is pending. */
  private ordered: Promise<void> | null = null;
  /** Requests running now, and those waiting for one of the LIMITS.wsInFlightMax slots. */
  private running = 0;
  private waiting: Array<() => void> | null = null;
  /**
   * When the expiry wheel calls `expire`, in seconds since the epoch: the authentication
   * deadline until the socket has authenticated, then its token's expiry.
   */
  private deadline: number;

  constructor(
    private readonly ws: ServerWebSocket<unknown>,
    private readonly deps: TransportDeps,
    private readonly ip: string,
    expectConnectionParams: boolean,
  ) {
    // A socket that has not authenticated within the limit is closed (one wheel, no timer per socket).
    this.deadline = Date.now() / 1000 + LIMITS.authTimeoutSeconds;
    deps.expiry.add(this, this.deadline);
    if (!expectConnectionParams) this.ctx = this.authenticate(null);
  }

  /**
   * Runs `work` in one of the socket's in-flight slots: at most LIMITS.wsInFlightMax run at once
   * (one frame of 700 searches must not starve everyone else), up to LIMITS.wsQueuedMax wait,
   * and beyond that the request is refused with TOO_MANY_REQUESTS. `work` frees its slot
   * by calling the release it is given (a subscription frees it once started, not when it ends).
   */
  private admit(msg: TRPCClientOutgoingMessage, work: (release: () => void) => Promise<void>) {
    if (this.running >= LIMITS.wsInFlightMax && (this.waiting?.length ?? 0) >= LIMITS.wsQueuedMax) {
      const message = `At most ${LIMITS.wsInFlightMax} requests in flight per connection`;
      return this.fail(msg.id, { jsonrpc: msg.jsonrpc }, new TRPCError({ code: 'TOO_MANY_REQUESTS', message }));
    }
    // A finished request hands its slot straight to the next waiting one (so the cap holds
    // exactly), on a later turn of the event loop: other sockets' frames get read in between
    // (with the embedded database a chain of queries can otherwise run as one long string of
    // microtasks and starve every other socket).
    const run = () => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const next = this.waiting?.shift();
        if (next) setImmediate(next);
        else this.running--;
      };
      void work(release).finally(release);
    };
    if (this.running < LIMITS.wsInFlightMax) {
      this.running++;
      run();
    } else (this.waiting ??= []).push(run);
  }

  onMessage(raw: string | Buffer) {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text === 'PING') return void this.ws.send('PONG');
    if (text === 'PONG') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.fail(null, undefined, new TRPCError({ code: 'PARSE_ERROR', message: 'Frame is not JSON' }));
    }
    if (!this.ctx) {
      const msg = parsed as { method?: unknown; data?: { token?: unknown } | null };
      const token = msg?.method === 'connectionParams' && typeof msg.data?.token === 'string' ? msg.data.token : null;
      this.ctx = this.authenticate(token);
      if (msg?.method !== 'connectionParams')
        this.fail(null, undefined, new TRPCError({ code: 'PARSE_ERROR', message: 'Expected connectionParams first' }));
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      let msg: TRPCClientOutgoingMessage;
      try {
        msg = parseTRPCMessage(item, appRouter._def._config.transformer);
      } catch (cause) {
        const id = (item as { id?: unknown })?.id;
        this.fail(
          typeof id === 'string' || typeof id === 'number' ? id : null,
          undefined,
          new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed tRPC message', cause }),
        );
        continue;
      }
      const id = msg.id;
      if (id !== null && JSON.stringify(id).length > LIMITS.requestIdMaxChars) {
        // The id keys per-subscription state: a client must not choose how big that is.
        const message = `Request ids are at most ${LIMITS.requestIdMaxChars} characters`;
        this.fail(null, { jsonrpc: msg.jsonrpc }, new TRPCError({ code: 'BAD_REQUEST', message }));
        continue;
      }
      if (msg.method === 'subscription.stop') {
        void this.handle(msg, () => {});
        continue;
      }
      // Typing and signals from one socket take effect in the order they were sent (an ICE
      // candidate must not overtake its answer); everything else runs concurrently.
      const ordered = msg.method === 'mutation' && msg.params.path.startsWith('realtime.');
      this.admit(msg, (release) => {
        const run = () => this.handle(msg, release).catch((error) => this.deps.log.error('websocket request failed', { error }));
        if (!ordered) return run();
        const tail = (this.ordered ?? Promise.resolve()).then(run);
        this.ordered = tail;
        return tail.finally(() => {
          if (this.ordered === tail) this.ordered = null;
        });
      });
    }
  }

  onClose() {
    this.closed = true;
    for (const sub of this.subscriptions.values()) sub.stop();
    this.subscriptions.clear();
    this.deps.expiry.remove(this, this.deadline);
    this.waiting = null;
    if (this.caller)
      void this.deps.services.realtime
        .disconnected(this.caller, this.id)
        .catch((error) => this.deps.log.warn('presence leave failed', { error }));
  }

  /**
   * Called by the expiry wheel at the deadline: a socket that never authenticated is closed; an
   * authenticated one's token has run out, and the client reconnects with a fresh one.
   */
  expire() {
    if (this.closed) return;
    if (!this.caller) this.ws.close(CLOSE_CODES.authTimeout, 'not authenticated');
    else this.ws.close(CLOSE_CODES.tokenExpired, 'access token expired');
  }

  /** Tells the client to reconnect (graceful shutdown); a stock client reconnects and resumes. */
  sendReconnect(frame: string) {
    this.ws.send(frame);
  }

  private async authenticate(token: string | null): Promise<Context> {
    const { services, log } = this.deps;
    const ctx = await createContextInner({ services, log, token, ip: this.ip });
    if (ctx.user && ctx.auth && !this.closed) {
      this.caller = ctx.user;
      this.deps.expiry.remove(this, this.deadline);
      this.deadline = ctx.auth.exp;
      this.deps.expiry.add(this, this.deadline);
      await services.realtime.connected(this.caller, this.id);
      if (this.closed) void services.realtime.disconnected(this.caller, this.id);
    }
    return ctx;
  }

  private respond(message: TRPCResponseMessage) {
    if (!this.closed) this.ws.send(JSON.stringify(message));
  }

  private fail(
    id: RequestId | null,
    msg: { path?: string; type?: TRPCProcedureType; input?: unknown; jsonrpc?: '2.0' } | undefined,
    cause: unknown,
    ctx?: Context,
  ) {
    const error = getTRPCErrorFromUnknown(cause);
    const shape = getErrorShape({
      config: appRouter._def._config,
      error,
      type: msg?.type ?? 'unknown',
      path: msg?.path,
      input: msg?.input,
      ctx,
    });
    this.respond({ id, ...(msg?.jsonrpc && { jsonrpc: msg.jsonrpc }), error: shape } as TRPCResponseMessage);
  }

  private async handle(msg: TRPCClientOutgoingMessage, release: () => void) {
    const { id, jsonrpc } = msg;
    if (id === null) return this.fail(null, undefined, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }));
    const key = JSON.stringify(id);
    if (msg.method === 'subscription.stop') return this.stop(key, true);
    const type = msg.method;
    const { path, lastEventId } = msg.params;
    let input = msg.params.input;
    if (lastEventId !== undefined)
      input = typeof input === 'object' && input !== null ? { ...input, lastEventId } : (input ?? { lastEventId });
    const info = { path, type, input, jsonrpc };

    let sub: ActiveSubscription | null = null;
    if (type === 'subscription') {
      if (this.subscriptions.has(key)) return this.fail(id, info, new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` }));
      if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
        const message = `At most ${MAX_SUBSCRIPTIONS} subscriptions per connection`;
        return this.fail(id, info, new TRPCError({ code: 'TOO_MANY_REQUESTS', message }));
      }
      this.subscriptions.set(key, (sub = new ActiveSubscription(id, key, jsonrpc, release)));
    }
    const ctx = await this.ctx!;
    const begun = performance.now();
    try {
      const direct = type === 'mutation' ? directMutations.get(path) : undefined;
      // No abort signal: Parley's procedures do not use one, and a signal per subscription is memory an idle socket keeps.
      const result = direct
        ? await direct(ctx, input)
        : await callTRPCProcedure({ router: appRouter, path, getRawInput: async () => input, ctx, type, signal: undefined, batchIndex: 0 });
      this.deps.metrics.procedureTimer(path).observe((performance.now() - begun) / 1000);
      if (!sub) return this.respond({ id, ...(jsonrpc && { jsonrpc }), result: { type: 'data', data: result } } as TRPCResponseMessage);
      if (sub.stopped || this.closed) return;
      // A live stream says `started` once its position is fixed (see Sink.started); anything else at once.
      if (isLive(result)) await this.openLive(result[LIVE], sub);
      else {
        this.liveStarted(sub);
        await this.iterate(id, jsonrpc, result as AsyncIterable<unknown>, sub);
      }
    } catch (cause) {
      if (sub && this.subscriptions.get(key) === sub) this.subscriptions.delete(key);
      if (!sub?.stopped) this.fail(id, info, cause, ctx);
    }
  }

  /** Serves a live stream natively: frames are spliced around the shared event JSON. */
  private async openLive(source: LiveSource, sub: ActiveSubscription) {
    const { frames, metrics } = this.deps;
    const jsonrpc = sub.jsonrpc === '2.0';
    const key = shareKey(sub.key, jsonrpc);
    const sink = new TrpcSink(source.userId, key, frames.acquire(key, sub.key, jsonrpc), this.ws, this, sub);
    try {
      sink.detach = await source.open(sink);
    } catch (err) {
      frames.release(key, sink.frame);
      throw err;
    }
    metrics.subscriptions.inc();
    sub.opened(sink);
  }

  liveStarted(sub: ActiveSubscription) {
    const release = sub.release;
    sub.release = null;
    release?.();
    const { requestId: id, jsonrpc } = sub;
    this.respond({ id, ...(jsonrpc && { jsonrpc }), result: { type: 'started' } } as TRPCResponseMessage);
  }

  liveEnded(sub: ActiveSubscription, reason: EndReason) {
    if (this.subscriptions.get(sub.key) !== sub) return;
    this.subscriptions.delete(sub.key);
    sub.stop();
    this.fail(sub.requestId, { jsonrpc: sub.jsonrpc }, new TRPCError(reason));
  }

  liveClosed(sink: TrpcSink<ActiveSubscription>) {
    this.deps.frames.release(sink.shareKey, sink.frame);
    this.deps.metrics.subscriptions.dec();
  }

  /** Fallback for any other async iterable a procedure returns: tRPC's own envelope, one by one. */
  private async iterate(id: RequestId, jsonrpc: '2.0' | undefined, iterable: AsyncIterable<unknown>, sub: ActiveSubscription) {
    const iterator = iterable[Symbol.asyncIterator]();
    sub.opened({ close: () => void iterator.return?.() });
    const rpc = jsonrpc ? { jsonrpc } : {};
    while (!sub.stopped) {
      const next = await iterator.next();
      if (next.done || sub.stopped) break;
      const value = next.value;
      const result = isTrackedEnvelope(value)
        ? { type: 'data' as const, id: value[0], data: { id: value[0], data: value[1] } }
        : { type: 'data' as const, data: value };
      this.respond({ id, ...rpc, result } as TRPCResponseMessage);
    }
    this.stop(JSON.stringify(id), !sub.stopped);
  }

  /** Stops a subscription; `announce` sends tRPC's `stopped` (a client's stop, or a stream that ended). */
  private stop(key: string, announce: boolean) {
    const sub = this.subscriptions.get(key);
    if (!sub) return;
    this.subscriptions.delete(key);
    sub.stop();
    if (announce) this.respond({ id: JSON.parse(key), result: { type: 'stopped' } } as TRPCResponseMessage);
  }
}
