import type { ServerWebSocket } from 'bun';
import type { EndReason, Sink } from '../../realtime/sink.ts';

export type FrameBuilder = (id: number, json: string, tracked: boolean) => string;

/**
 * A tRPC subscription on a Bun socket as the hub sees it. A class rather than a bag of closures:
 * an idle connection's memory is mostly what its subscriptions hold.
 */
export class TrpcSink implements Sink {
  constructor(
    readonly userId: string,
    readonly shareKey: string,
    readonly frame: FrameBuilder,
    private readonly ws: ServerWebSocket<unknown>,
    private readonly onStarted: () => void,
    private readonly onEnd: (reason: EndReason) => void,
  ) {}

  started() {
    this.onStarted();
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
    this.onEnd(reason);
  }
}
