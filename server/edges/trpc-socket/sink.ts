import type { ServerWebSocket } from 'bun';
import type { EndReason, Sink } from '../../realtime/sink.ts';
import type { FrameBuilder } from './frames.ts';

/** What a live subscription reports to the connection that opened it. */
export interface LiveOwner<TSub> {
  /** Its position is fixed: tRPC's `started` goes out, the request's in-flight slot is freed. */
  liveStarted(sub: TSub): void;
  /** The server ended it (kick, deleted channel). */
  liveEnded(sub: TSub, reason: EndReason): void;
  /** It was closed: the frame builder goes back to the cache. */
  liveClosed(sink: TrpcSink<TSub>): void;
}

/**
 * A tRPC subscription on a Bun socket as the hub sees it. Plain fields and methods rather than
 * closures: an idle connection's memory is mostly what its subscriptions hold, and a closure
 * keeps the whole scope it was made in (the request, its input, the procedure's result) alive.
 */
export class TrpcSink<TSub = unknown> implements Sink {
  /** Detaches from the stream (set once opened). */
  detach: (() => void) | null = null;

  constructor(
    readonly userId: string,
    readonly shareKey: string,
    readonly frame: FrameBuilder,
    private readonly ws: ServerWebSocket<unknown>,
    private readonly owner: LiveOwner<TSub>,
    readonly sub: TSub,
  ) {}

  started() {
    this.owner.liveStarted(this.sub);
  }

  deliver(id: number, json: string, tracked: boolean) {
    this.ws.send(this.frame(id, json, tracked));
  }

  joinTopic(topic: string) {
    this.ws.subscribe(topic);
  }

  leaveTopic(topic: string) {
    if (this.ws.readyState === 1) this.ws.unsubscribe(topic);
  }

  end(reason: EndReason) {
    this.owner.liveEnded(this.sub, reason);
  }

  close() {
    this.detach?.();
    this.detach = null;
    this.owner.liveClosed(this);
  }
}
