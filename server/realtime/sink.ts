/** Why the server ended a subscription. */
export interface EndReason {
  code: 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHORIZED';
  message: string;
}

/**
 * One subscriber of a stream, as the hub sees it. Every event goes out with an `id`: for a
 * durable event (`tracked`) its own sequence; for an ephemeral one the subscriber's current
 * position, so a stock tRPC client (which remembers the id of whatever frame came last)
 * resumes from the right place whatever kind of event it saw last.
 *
 * Sinks with the same `shareKey` receive byte-identical frames, so the hub builds each frame
 * once and lets Bun's native topic publish copy it to all of them.
 */
export interface Sink {
  readonly userId: string;
  /** Key of a shared topic frame, or null for one-by-one delivery. */
  readonly shareKey: string | null;
  /**
   * The subscription is live: its position is fixed, and every event committed from now on will
   * reach it. Called once, before the prelude and backlog (tRPC's `started` goes out here).
   */
  started(): void;
  /** The shared frame for an event; called once per key per event. */
  frame(id: number, json: string, tracked: boolean): string;
  /** Delivers one event to this sink alone. */
  deliver(id: number, json: string, tracked: boolean): void;
  /** Joins / leaves a native topic (only called when `shareKey` is set). */
  joinTopic(topic: string): void;
  leaveTopic(topic: string): void;
  /** The server ends the subscription (kick, deleted channel). */
  end(reason: EndReason): void;
}

/** Publishes one prebuilt frame to every socket on a native topic. */
export type PublishFrame = (topic: string, frame: string) => void;

/**
 * A live stream subscription before anyone consumes it. Services return these; each edge
 * consumes them its own way (the tRPC socket with shared frames, the gateway with bare events,
 * `createCaller` as an async iterable). The type parameters only carry the stream's durable
 * and ephemeral event types up to the router, so the API's types come out right.
 */
export interface LiveSource<TDurable = unknown, TEphemeral = unknown> {
  readonly userId: string;
  /** Attaches `sink`, delivers prelude and backlog, then keeps it live; resolves to its close. */
  open(sink: Sink): Promise<() => void>;
  /** Never set: a type-only marker. */
  readonly events?: { durable: TDurable; ephemeral: TEphemeral };
}
