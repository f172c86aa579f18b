import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { Collector } from './events.ts';

/**
 * Following subscriptions with stock clients, and closing what a test opened.
 */

/** A stock client's yield flattened: a tracked `{ id, data }` becomes the event plus `_seq`. */
export function flatten(item: any): any {
  if (item && typeof item === 'object' && item.type === undefined && 'id' in item && 'data' in item) {
    return { ...item.data, _seq: Number(item.id) };
  }
  return item;
}

export interface Followed {
  /** Everything the subscription yielded, flattened (durable events carry `_seq`). */
  events: Collector<any>;
  /** Resolves when the server confirmed the subscription (`started`). */
  started: Promise<void>;
  /** Tracked sequence numbers in arrival order. */
  seqs(): number[];
  /** Events of one type, in arrival order. */
  of(type: string): any[];
  unsubscribe(): void;
}

type Subscribable = { subscribe: (input: any, opts: any) => { unsubscribe(): void } };

/** Subscribes through a stock tRPC client procedure (e.g. `api.realtime.channel`) and collects what it yields. */
export function follow(proc: Subscribable, input: unknown): Followed {
  const events = new Collector<any>();
  let onStarted = () => {};
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const sub = proc.subscribe(input, {
    onStarted: () => onStarted(),
    onData: (d: unknown) => events.push(flatten(d)),
    onError: (e: unknown) => events.fail(e),
  });
  return {
    events,
    started,
    seqs: () => events.items.filter((e) => e._seq !== undefined).map((e) => e._seq as number),
    of: (type) => events.items.filter((e) => e.type === type),
    unsubscribe: () => sub.unsubscribe(),
  };
}

/** Everything a test opened, closed in `afterEach`/`afterAll` whatever the test's outcome. */
export class Closer {
  private readonly open: Array<{ close(): unknown }> = [];

  /** Registers `c` to be closed later; returns it. */
  add<T extends { close(): unknown }>(c: T): T {
    this.open.push(c);
    return c;
  }

  async closeAll(): Promise<void> {
    const all = this.open.splice(0);
    await Promise.all(all.map(async (c) => c.close()));
  }
}

/** The value of a Prometheus sample on the server's /metrics (summing over label sets that match `labels`). */
export async function metric(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labels && !rest.includes(labels)) continue;
    total += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * A stock wsLink client whose (re)connections can be held back: while held, a new socket opens
 * but its connectionParams (and so every resubscription) wait until `release()`.
 */
export function gatedWsClient(baseUrl: string, token: string) {
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const ws = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
    connectionParams: async () => {
      await gate;
      return { token };
    },
    retryDelayMs: () => 50,
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return {
    api,
    ws,
    close: () => {
      // A held connection attempt would keep close() waiting on its connectionParams.
      open();
      return ws.close();
    },
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => open(),
    /** The client's current underlying WebSocket. */
    socket: (): WebSocket => {
      const s = ws.connection?.ws;
      if (!s) throw new Error('no socket');
      return s as WebSocket;
    },
  };
}
