import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { createTestDatabase } from './database.ts';
import { Collector } from './events.ts';
import { TEST_JWT_SECRET, type TestServer } from './server.ts';

/**
 * Helpers for the compatibility gateway (server/test/gateway): a raw client of the original JSON
 * protocol on Bun's global WebSocket, refused upgrades as plain HTTP, and a server whose log
 * output is captured.
 */

/** The gateway path for a channel or DM socket, with the token (and resume point) in the query. */
export function gatewayPath(kind: 'channel' | 'dm', id: string, token?: string | null, lastEventId?: string | number): string {
  const q = new URLSearchParams();
  if (token !== undefined && token !== null) q.set('token', token);
  if (lastEventId !== undefined) q.set('last_event_id', String(lastEventId));
  const query = q.toString();
  return `/ws/${kind}/${id}${query ? `?${query}` : ''}`;
}

const wsBase = (baseUrl: string) => baseUrl.replace(/^http/, 'ws');

/** A client of the original raw protocol: bare JSON events in, bare JSON frames out, nothing retried. */
export class GatewaySocket {
  /** Every frame the server sent, parsed (a frame that is not JSON is kept as its text). */
  readonly events = new Collector<any>();
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set once the socket has closed. */
  closeInfo: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (e) => {
        this.closeInfo = { code: e.code, reason: e.reason };
        resolve(this.closeInfo);
      }),
    );
    ws.addEventListener('message', (e) => {
      const text = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer);
      let value: any = text;
      try {
        value = JSON.parse(text);
      } catch {
        // Kept as text: a test can tell the server sent something that is not JSON.
      }
      this.events.push(value);
    });
  }

  /** Opens `path` (e.g. from `gatewayPath`) on the server at `baseUrl`; rejects when the upgrade is refused. */
  static async open(baseUrl: string, path: string): Promise<GatewaySocket> {
    const ws = new WebSocket(`${wsBase(baseUrl)}${path}`);
    const socket = new GatewaySocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', (e) => reject(new Error(`gateway socket failed to open: ${(e as ErrorEvent).message ?? 'error'}`)), {
        once: true,
      });
    });
    return socket;
  }

  /** Opens a channel socket and waits for its first event (`online_users`): only then is it attached. */
  static async channel(baseUrl: string, channelId: string, token: string, lastEventId?: number): Promise<GatewaySocket> {
    const socket = await GatewaySocket.open(baseUrl, gatewayPath('channel', channelId, token, lastEventId));
    await socket.first((e) => e.type === 'online_users');
    return socket;
  }

  /** Opens a DM socket and waits for its first event (the partner's presence): only then is it attached. */
  static async dm(baseUrl: string, userId: string, token: string, lastEventId?: number): Promise<GatewaySocket> {
    const socket = await GatewaySocket.open(baseUrl, gatewayPath('dm', userId, token, lastEventId));
    await socket.first((e) => e.type === 'dm_user_online' || e.type === 'dm_user_offline');
    return socket;
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a frame: objects as JSON, strings verbatim. */
  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Events of one type, in arrival order. */
  of(type: string): any[] {
    return this.events.items.filter((e) => e?.type === type);
  }

  /** Waits for the first event from index `from` on that matches `match`. */
  async first(match: (e: any) => boolean, from = 0, timeoutMs = 5000): Promise<any> {
    const find = (items: any[]) => items.slice(from).find((e) => e && typeof e === 'object' && match(e));
    await this.events.until((items) => find(items) !== undefined, timeoutMs, 'a gateway event');
    return find(this.events.items);
  }

  /** Sends `frame` and waits for the next `{ type: 'error' }` the server answers with. */
  async expectError(frame: unknown, timeoutMs = 5000): Promise<any> {
    const from = this.events.items.length;
    this.send(frame);
    return this.first((e) => e.type === 'error', from, timeoutMs);
  }

  /** Closes the socket (if open) and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close();
    await this.closed;
  }
}

/** Waits for a socket's close, failing after `timeoutMs` instead of hanging. */
export function closedWithin(
  socket: { closed: Promise<{ code: number; reason: string }> },
  timeoutMs = 10_000,
): Promise<{ code: number; reason: string }> {
  return Promise.race([
    socket.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs)),
  ]);
}

/**
 * Sends a WebSocket upgrade request for `path` with fetch and returns the plain HTTP answer of a
 * refused upgrade (status, JSON body). A 101 is reported as such (the test then fails on status).
 */
export async function upgradeAttempt(baseUrl: string, path: string): Promise<{ status: number; body: any; contentType: string | null }> {
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const res = await fetch(`${baseUrl}${path}`, {
    headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
  });
  if (res.status === 101) return { status: 101, body: null, contentType: null };
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: returned as text so the assertion shows it.
  }
  return { status: res.status, body, contentType: res.headers.get('content-type') };
}

/**
 * Opens `path` with Bun's WebSocket, which must fail: resolves with the error message (Bun names
 * the HTTP status it got) once the socket has closed without ever opening.
 */
export async function refusedSocket(baseUrl: string, path: string): Promise<{ opened: boolean; error: string; code: number }> {
  const ws = new WebSocket(`${wsBase(baseUrl)}${path}`);
  let opened = false;
  let error = '';
  ws.addEventListener('open', () => {
    opened = true;
    ws.close();
  });
  ws.addEventListener('error', (e) => (error = String((e as ErrorEvent).message ?? 'error')));
  const code = await new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
  return { opened, error, code };
}

/** A test server (as `startTestServer`) whose structured log lines are captured in `logs`. */
export interface LoggedTestServer extends TestServer {
  logs: string[];
}

/** `startTestServer` with `LOG_LEVEL` (default debug) and every log line the server writes kept in `logs`. */
export async function startLoggedServer(env: Record<string, string> = {}): Promise<LoggedTestServer> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'debug',
    RATE_LIMIT_MESSAGES: 'off',
    // Test files register many users from 127.0.0.1 (server/test/security tests the limit).
    RATE_LIMIT_REGISTRATIONS: 'off',
    SHUTDOWN_GRACE_SECONDS: '0',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...(db.url && process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `parley-test:${crypto.randomUUID().slice(0, 8)}:` }
      : {}),
    ...env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, (line) => logs.push(line));
  const parley = await startParley(config, { database: db.database, logger });
  const stop = async () => {
    await parley.stop();
    await db.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...parley, db, dataDir, logs, wsUrl: parley.url.replace('http', 'ws') + '/trpc', stop, [Symbol.asyncDispose]: stop };
}
