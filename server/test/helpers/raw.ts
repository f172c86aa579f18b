import { Collector } from './events.ts';

/** A frame the server sent, parsed (or the literal `PONG`), with its exact text. */
export interface RawFrame {
  text: string;
  json: any;
}

export interface RawOptions {
  /** Token sent in the connectionParams message; `undefined` opens an anonymous socket (no connectionParams at all). */
  token?: string | null;
  /** Path and query after the origin; defaults to `/trpc` (plus `?connectionParams=1` with a token). */
  path?: string;
}

/**
 * A tRPC-over-WebSocket client that speaks the wire protocol by hand on Bun's global WebSocket:
 * every frame is kept verbatim, requests are plain objects, and nothing is retried or reordered.
 */
export class RawSocket {
  readonly frames = new Collector<RawFrame>();
  readonly closed: Promise<{ code: number; reason: string }>;
  private pongs = 0;
  private readonly pongWaiters = new Set<() => void>();
  private nextPing = 0;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
    ws.addEventListener('message', (e) => {
      const text = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer);
      if (text === 'PONG') {
        this.pongs++;
        for (const w of [...this.pongWaiters]) w();
      }
      let json: any = text;
      try {
        json = JSON.parse(text);
      } catch {
        // PONG and anything else that is not JSON stay as text.
      }
      this.frames.push({ text, json });
    });
  }

  /** Opens a socket to `baseUrl` (http://host:port) and, with a token, sends connectionParams first. */
  static async open(baseUrl: string, opts: RawOptions = {}): Promise<RawSocket> {
    const withParams = opts.token !== undefined;
    const path = opts.path ?? (withParams ? '/trpc?connectionParams=1' : '/trpc');
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`);
    const socket = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('WebSocket failed to open')), { once: true });
    });
    if (withParams) socket.send({ method: 'connectionParams', data: { token: opts.token ?? '' } });
    return socket;
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(message: unknown) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Frames addressed to request `id`. */
  for(id: unknown): RawFrame[] {
    return this.frames.items.filter((f) => typeof f.json === 'object' && f.json !== null && f.json.id === id);
  }

  /** Data frames of subscription `id`, in arrival order. */
  data(id: unknown): RawFrame[] {
    return this.for(id).filter((f) => f.json.result?.type === 'data');
  }

  /**
   * Durable events of subscription `id` as `[seq, event]`: tracked frames, whose data is the
   * `{ id, data }` envelope. (Ephemeral frames carry `result.id` too — the subscriber's position,
   * for the stock client's resume — but their data is the bare event.)
   */
  tracked(id: unknown): Array<[number, any]> {
    return this.data(id)
      .filter((f) => f.json.result.id !== undefined && f.json.result.data?.id === f.json.result.id && 'data' in f.json.result.data)
      .map((f) => [Number(f.json.result.id), f.json.result.data.data]);
  }

  /** Waits for the first frame for `id` from index `from` on that matches `match`. */
  async next(id: unknown, match: (json: any) => boolean, from = 0, timeoutMs = 5000): Promise<any> {
    const find = (items: RawFrame[]) => items.slice(from).find((f) => f.json?.id === id && match(f.json));
    await this.frames.until((items) => find(items) !== undefined, timeoutMs, `a frame for id ${JSON.stringify(id)}`);
    return find(this.frames.items)!.json;
  }

  /** Sends a query or mutation and waits for its answer (data or error). */
  async call(id: string | number, method: 'query' | 'mutation', path: string, input?: unknown, timeoutMs = 5000): Promise<any> {
    const from = this.frames.items.length;
    this.send({ id, method, params: { path, input } });
    return this.next(id, (j) => j.error !== undefined || j.result !== undefined, from, timeoutMs);
  }

  /** Starts a subscription and waits until it is `started` (or refused: the error frame is returned). */
  async subscribe(id: string | number, path: string, input: unknown, extra: Record<string, unknown> = {}): Promise<any> {
    const from = this.frames.items.length;
    this.send({ id, method: 'subscription', params: { path, input, ...extra } });
    return this.next(id, (j) => j.error !== undefined || j.result?.type === 'started', from);
  }

  /**
   * Subscribes to a channel stream and waits for its first event (`online_users`): only then is
   * it attached (`started` comes earlier). Returns the `started` frame, or the refusal.
   */
  async joinChannel(id: string | number, channelId: string, extra: Record<string, unknown> = {}): Promise<any> {
    const from = this.frames.items.length;
    const started = await this.subscribe(id, 'realtime.channel', { channel_id: channelId }, extra);
    if (started.error) return started;
    await this.next(id, (j) => j.result?.data?.type === 'online_users', from);
    return started;
  }

  /**
   * Sends PING and waits for its PONG. The server answers frames in order, so everything it sent
   * this socket before reading the PING has arrived by then: a barrier, not a sleep.
   */
  async barrier(timeoutMs = 5000): Promise<void> {
    const target = ++this.nextPing;
    const done = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.pongs < target) return;
        clearTimeout(timer);
        this.pongWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.pongWaiters.delete(check);
        reject(new Error('timed out waiting for PONG'));
      }, timeoutMs);
      this.pongWaiters.add(check);
    });
    this.ws.send('PING');
    await done;
  }

  /** Closes the socket (if open) and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close();
    await this.closed;
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}
