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
import { appRouter } from '../../routers/index.ts';
import type { Services } from '../../services/index.ts';
import { createContextInner, type Context } from '../../trpc/context.ts';
import type { LiveSource } from '../../realtime/sink.ts';
import { isLive, LIVE } from '../../trpc/live.ts';
import type { ExpiryWheel } from '../expiry.ts';
import { TrpcSink, type FrameBuilder } from './sink.ts';

export interface TransportDeps {
  services: Services;
  log: Logger;
  metrics: Metrics;
  expiry: ExpiryWheel;
  /** The frame builder for a subscription id; shared by every subscription with that id. */
  frames(idJson: string, jsonrpc: boolean): FrameBuilder;
}

type RequestId = string | number;

/** A running subscription: stopping it runs its close (detach, leave presence) once. */
class ActiveSubscription {
  stopped = false;
  private close: (() => void) | null = null;

  /** Hands over the close; runs it at once if the subscription was stopped meanwhile. */
  opened(close: () => void) {
    if (this.stopped) close();
    else this.close = close;
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.close?.();
  }
}

/** Subscriptions one socket may hold at once. */
const MAX_SUBSCRIPTIONS = 100;

/**
 * One tRPC client on a Bun WebSocket, speaking tRPC's wire protocol: connectionParams auth,
 * queries, mutations and subscriptions (live ones opened natively with shared frames), stop,
 * PING/PONG. The context is built once per connection; the socket closes when its token expires.
 */
export class TrpcConnection {
  readonly id = crypto.randomUUID();
  private ctx: Promise<Context> | null = null;
  private readonly subscriptions = new Map<string, ActiveSubscription>();
  private cancelExpiry: (() => void) | null = null;
  private caller: { id: string; username: string } | null = null;
  private closed = false;
  private ordered: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: ServerWebSocket<unknown>,
    private readonly deps: TransportDeps,
    private readonly ip: string,
    expectConnectionParams: boolean,
  ) {
    if (!expectConnectionParams) this.ctx = this.authenticate(null);
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
      // Typing and signals from one socket take effect in the order they were sent (an ICE
      // candidate must not overtake its answer); everything else runs concurrently.
      const ordered = msg.method === 'mutation' && msg.params.path.startsWith('realtime.');
      const run = () => this.handle(msg).catch((error) => this.deps.log.error('websocket request failed', { error }));
      if (ordered) this.ordered = this.ordered.then(run);
      else void run();
    }
  }

  onClose() {
    this.closed = true;
    for (const sub of this.subscriptions.values()) sub.stop();
    this.subscriptions.clear();
    this.cancelExpiry?.();
    if (this.caller)
      void this.deps.services.realtime
        .disconnected(this.caller, this.id)
        .catch((error) => this.deps.log.warn('presence leave failed', { error }));
  }

  /** Called by the expiry wheel when the access token runs out; the client reconnects with a fresh one. */
  expire() {
    this.ws.close(CLOSE_CODES.tokenExpired, 'access token expired');
  }

  /** Tells the client to reconnect (graceful shutdown); a stock client reconnects and resumes. */
  sendReconnect(frame: string) {
    this.ws.send(frame);
  }

  private async authenticate(token: string | null): Promise<Context> {
    const { services, log } = this.deps;
    const ctx = await createContextInner({ services, log, token, ip: this.ip });
    if (ctx.auth && !this.closed) {
      this.caller = { id: ctx.auth.userId, username: ctx.auth.username };
      this.cancelExpiry = this.deps.expiry.add(this, ctx.auth.exp);
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

  private async handle(msg: TRPCClientOutgoingMessage) {
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
      this.subscriptions.set(key, (sub = new ActiveSubscription()));
    }
    const ctx = await this.ctx!;
    const begun = performance.now();
    try {
      // No abort signal: Parley's procedures do not use one, and a signal per subscription is memory an idle socket keeps.
      const result = await callTRPCProcedure({
        router: appRouter,
        path,
        getRawInput: async () => input,
        ctx,
        type,
        signal: undefined,
        batchIndex: 0,
      });
      this.deps.metrics.procedureSeconds.observe({ path, transport: 'ws' }, (performance.now() - begun) / 1000);
      if (!sub) return this.respond({ id, ...(jsonrpc && { jsonrpc }), result: { type: 'data', data: result } } as TRPCResponseMessage);
      if (sub.stopped || this.closed) return;
      const started = () => this.respond({ id, ...(jsonrpc && { jsonrpc }), result: { type: 'started' } } as TRPCResponseMessage);
      // A live stream says `started` once its position is fixed (see Sink.started); anything else at once.
      if (isLive(result)) await this.openLive(id, key, jsonrpc === '2.0', result[LIVE], sub, started);
      else {
        started();
        await this.iterate(id, jsonrpc, result as AsyncIterable<unknown>, sub);
      }
    } catch (cause) {
      if (sub && this.subscriptions.get(key) === sub) this.subscriptions.delete(key);
      if (!sub?.stopped) this.fail(id, info, cause, ctx);
    }
  }

  /** Serves a live stream natively: frames are spliced around the shared event JSON. */
  private async openLive(id: RequestId, key: string, jsonrpc: boolean, source: LiveSource, sub: ActiveSubscription, started: () => void) {
    const idJson = JSON.stringify(id);
    const shareKey = jsonrpc ? `${idJson}/2.0` : idJson;
    const ended = (reason: { code: TRPCError['code']; message: string }) => {
      if (this.subscriptions.get(key) !== sub) return;
      this.subscriptions.delete(key);
      sub.stop();
      this.fail(id, { jsonrpc: jsonrpc ? '2.0' : undefined }, new TRPCError(reason));
    };
    const sink = new TrpcSink(
      source.userId,
      shareKey,
      this.deps.frames(idJson, jsonrpc),
      this.ws as ServerWebSocket<unknown>,
      started,
      ended,
    );
    const close = await source.open(sink);
    const { metrics } = this.deps;
    metrics.subscriptions.inc();
    sub.opened(() => {
      close();
      metrics.subscriptions.dec();
    });
  }

  /** Fallback for any other async iterable a procedure returns: tRPC's own envelope, one by one. */
  private async iterate(id: RequestId, jsonrpc: '2.0' | undefined, iterable: AsyncIterable<unknown>, sub: ActiveSubscription) {
    const iterator = iterable[Symbol.asyncIterator]();
    sub.opened(() => void iterator.return?.());
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
