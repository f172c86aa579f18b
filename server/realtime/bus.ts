/**
 * Fan-out between nodes. PostgreSQL is the source of truth; the bus only carries notifications,
 * at most once and possibly out of order, so receivers order durable events by `seq` and fill
 * gaps from the event log.
 */
export interface BusMessage {
  /** Present on durable events: the position in the topic's stream. */
  seq?: number;
  /** The event, serialized once by the publisher. */
  json: string;
  /** Delivered only to this user's subscriptions (WebRTC signals); `!<user id>`: to everyone but that user. */
  to?: string;
}

export type BusHandler = (message: BusMessage) => void;

/** A topic subscription: `ready` settles once messages published from now on will arrive. */
export interface BusSubscription {
  ready: Promise<void>;
  close(): void;
}

export interface Bus {
  publish(topic: string, message: BusMessage): void;
  /** Starts receiving a topic. Several handlers per topic are fine. */
  subscribe(topic: string, handler: BusHandler): BusSubscription;
  /** Called after the bus recovered from an outage in which messages may have been lost. */
  onRecover(listener: () => void): () => void;
  /** Whether the bus is currently connected (for /readyz). */
  healthy(): boolean;
  close(): Promise<void>;
}

/** The in-process bus: synchronous delivery to local handlers; the default without Redis. */
export function createMemoryBus(): Bus {
  const topics = new Map<string, Set<BusHandler>>();
  return {
    publish(topic, message) {
      const handlers = topics.get(topic);
      if (!handlers) return;
      for (const handler of [...handlers]) handler(message);
    },
    subscribe(topic, handler) {
      let handlers = topics.get(topic);
      if (!handlers) topics.set(topic, (handlers = new Set()));
      handlers.add(handler);
      return {
        ready: Promise.resolve(),
        close() {
          handlers.delete(handler);
          if (!handlers.size && topics.get(topic) === handlers) topics.delete(topic);
        },
      };
    },
    onRecover: () => () => {},
    healthy: () => true,
    async close() {
      topics.clear();
    },
  };
}
