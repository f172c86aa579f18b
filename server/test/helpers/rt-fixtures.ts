import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import { createTokenService } from '../../auth/tokens.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { Channel, ChannelType, Group } from '../../../shared/entities.ts';
import { register } from './clients.ts';
import { Collector } from './events.ts';
import { TEST_JWT_SECRET } from './server.ts';

/** A registered user as `register` returns it. */
export type Registered = Awaited<ReturnType<typeof register>>;

/** Registers `n` fresh users in parallel. */
export function users(baseUrl: string, ...prefixes: string[]): Promise<Registered[]> {
  return Promise.all(prefixes.map((p) => register(baseUrl, p)));
}

/** A group owned by `owner` with `members` added, and one channel of `type` in it. */
export async function groupWithChannel(
  owner: Registered,
  members: Registered[],
  type: ChannelType = 'TEXT',
): Promise<{ group: Group; channel: Channel }> {
  const group = await owner.client.groups.create.mutate({ name: `g-${crypto.randomUUID().slice(0, 8)}` });
  for (const m of members) await owner.client.groups.addMember.mutate({ group_id: group.id, user_id: m.id });
  const channel = await owner.client.channels.create.mutate({ group_id: group.id, name: `c-${type.toLowerCase()}`, type });
  return { group, channel };
}

/**
 * An access token for `user` signed with the test server's secret that expires `expiresInMs`
 * from now (negative: already expired), minted with a shifted clock.
 */
export async function mintToken(user: { id: string; username: string }, expiresInMs: number): Promise<string> {
  const lifetimeMs = LIMITS.accessTokenSeconds * 1000;
  const issuedAt = Date.now() - (lifetimeMs - expiresInMs);
  const tokens = createTokenService(new TextEncoder().encode(TEST_JWT_SECRET), () => issuedAt);
  return (await tokens.sign(user.id, user.username)).token;
}

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

/** 1..n (or from..to inclusive). */
export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

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

/** The tRPC error code of a failed stock-client call (e.g. `NOT_FOUND`). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? `no code: ${String(err)}`;
  }
  return 'no error';
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

type Sender = Registered['client'];

/** Sends `n` channel messages, `concurrency` at a time (each wave is one HTTP batch); returns them in sequence order. */
export async function sendMany(client: Sender, channelId: string, n: number, concurrency = 25, content = (i: number) => `m${i}`) {
  const sent: Array<Awaited<ReturnType<Sender['messages']['send']['mutate']>>> = [];
  for (let i = 0; i < n; i += concurrency) {
    const wave = range(i, Math.min(n, i + concurrency) - 1);
    sent.push(...(await Promise.all(wave.map((j) => client.messages.send.mutate({ channel_id: channelId, content: content(j) })))));
  }
  return sent.sort((a, b) => a.seq - b.seq);
}

/** The whole history of a channel through messages.list, oldest first. */
export async function history(client: Sender, channelId: string) {
  const all: Array<{ id: string; seq: number; content: string }> = [];
  let after = 0;
  for (;;) {
    const page = await client.messages.list.query({ channel_id: channelId, after_seq: after, limit: 100 });
    const items = [...page.items].sort((a, b) => a.seq - b.seq);
    all.push(...items);
    if (items.length < 100) return all;
    after = items[items.length - 1]!.seq;
  }
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
