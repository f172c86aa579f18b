import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import { CLOSE_CODES } from '../../shared/close-codes.ts';
import { LIMITS } from '../../shared/limits.ts';
import type { OriginPolicy } from './origins.ts';
import { createExpiryWheel } from './expiry.ts';
import { createSettleCollector } from './settle.ts';
import { createFrameCache, RECONNECT_FRAME } from './trpc-socket/frames.ts';
import { TrpcConnection, type TransportDeps } from './trpc-socket/connection.ts';

/** What an upgraded socket carries: which protocol it speaks and its per-connection state. */
export type SocketData =
  | { kind: 'trpc'; ip: string; expectParams: boolean; conn?: TrpcConnection }
  | { kind: 'gateway'; ip: string; conn?: GatewayLike; init: unknown }
  | { kind: 'doc'; ip: string; conn?: GatewayLike; init: unknown };

/** The compatibility gateway's per-socket handler (see gateway.ts). */
export interface GatewayLike {
  onMessage(raw: string | Buffer): void;
  onClose(): void;
}

export interface WebSocketDeps extends Omit<TransportDeps, 'expiry' | 'frames'> {
  origins: OriginPolicy;
  /** Collect garbage after bursts of new connections (see settle.ts). */
  gcAfterConnectBursts: boolean;
  /** Opens a gateway connection for a socket the gateway accepted at upgrade time. */
  openGateway?: (ws: ServerWebSocket<SocketData>, init: unknown, expiry: TransportDeps['expiry']) => GatewayLike;
  /** Checks a gateway upgrade request; returns its init data, or a Response to refuse it. */
  acceptGateway?: (req: Request, url: URL) => Promise<unknown | Response>;
  /** The y-websocket document socket at /ws/doc/:id (edges/doc-socket.ts). */
  docSocket?: {
    accept(req: Request, url: URL): Promise<unknown | Response>;
    open(ws: ServerWebSocket<SocketData>, init: unknown, expiry: TransportDeps['expiry']): GatewayLike;
  };
}

/** A slow reader is cut off once this much is queued for it; it resumes from its last event id. */
export const BACKPRESSURE_LIMIT = 1024 * 1024;
/**
 * Bun's frame limit is per server: large enough for a Yjs update on a document socket (refused
 * there with an error frame above 512 KiB); the other protocols keep their 64 KiB below.
 */
const MAX_FRAME_BYTES = 1024 * 1024;

const overFrameLimit = (m: string | Buffer) =>
  typeof m === 'string'
    ? m.length * 3 > LIMITS.wsFrameMaxBytes && Buffer.byteLength(m) > LIMITS.wsFrameMaxBytes
    : m.byteLength > LIMITS.wsFrameMaxBytes;

/**
 * Bun's native WebSocket server for both protocols: tRPC at /trpc and the original raw protocol
 * at /ws/channel/:id and /ws/dm/:id. Frames over 64 KiB close the socket (1009), slow readers
 * are disconnected at the backpressure limit rather than silently losing frames.
 */
export function createWebSocketServer(deps: WebSocketDeps) {
  const trpcConnections = new Set<TrpcConnection>();
  const sockets = new Set<ServerWebSocket<SocketData>>();
  const expiry = createExpiryWheel();
  const settle = createSettleCollector({ enabled: deps.gcAfterConnectBursts });
  const builders = createFrameCache();
  const transport: TransportDeps = {
    ...deps,
    expiry,
    frames: {
      acquire(key, idJson, jsonrpc) {
        const build = builders.acquire(key, idJson, jsonrpc);
        deps.metrics.frameBuilders.set(builders.size());
        return build;
      },
      release(key, build) {
        builders.release(key, build);
        deps.metrics.frameBuilders.set(builders.size());
      },
    },
  };

  const handler: WebSocketHandler<SocketData> = {
    maxPayloadLength: MAX_FRAME_BYTES,
    backpressureLimit: BACKPRESSURE_LIMIT,
    closeOnBackpressureLimit: true,
    idleTimeout: 60,
    sendPings: true,
    perMessageDeflate: false,
    open(ws) {
      sockets.add(ws);
      settle.opened();
      const data = ws.data;
      deps.metrics.wsConnections.inc({ protocol: data.kind });
      if (data.kind === 'trpc') {
        data.conn = new TrpcConnection(ws as ServerWebSocket<unknown>, transport, data.ip, data.expectParams);
        trpcConnections.add(data.conn);
      } else if (data.kind === 'doc') {
        data.conn = deps.docSocket?.open(ws, data.init, expiry);
      } else if (deps.openGateway) {
        data.conn = deps.openGateway(ws, data.init, expiry);
      }
    },
    message(ws, message) {
      if (ws.data.kind !== 'doc' && overFrameLimit(message)) return void ws.close(1009, 'message too big');
      try {
        ws.data.conn?.onMessage(message);
      } catch (error) {
        deps.log.error('websocket message handler failed', { error });
      }
    },
    close(ws, code) {
      sockets.delete(ws);
      const data = ws.data;
      deps.metrics.wsConnections.dec({ protocol: data.kind });
      // Bun reports a reader cut off at the backpressure limit as 1006, like one that vanished.
      if (code === 1006) deps.metrics.abnormalClosures.inc();
      data.conn?.onClose();
      if (data.kind === 'trpc' && data.conn) trpcConnections.delete(data.conn);
    },
  };

  return {
    handler,

    /** Takes WebSocket upgrades for /trpc and the gateway paths; false when the path is not ours. */
    async upgrade(req: Request, server: Server<SocketData>): Promise<boolean | Response> {
      const url = new URL(req.url);
      if (!deps.origins.isAllowed(req)) return new Response('origin not allowed', { status: 403 });
      const ip = server.requestIP(req)?.address ?? 'unknown';
      if (url.pathname === '/trpc') {
        const data: SocketData = { kind: 'trpc', ip, expectParams: url.searchParams.get('connectionParams') === '1' };
        return server.upgrade(req, { data }) || new Response('upgrade failed', { status: 400 });
      }
      if (deps.docSocket && url.pathname.startsWith('/ws/doc/')) {
        const init = await deps.docSocket.accept(req, url);
        if (init instanceof Response) return init;
        return server.upgrade(req, { data: { kind: 'doc', ip, init } }) || new Response('upgrade failed', { status: 400 });
      }
      if (deps.acceptGateway && url.pathname.startsWith('/ws/')) {
        const init = await deps.acceptGateway(req, url);
        if (init instanceof Response) return init;
        return server.upgrade(req, { data: { kind: 'gateway', ip, init } }) || new Response('upgrade failed', { status: 400 });
      }
      return false;
    },

    /** Graceful shutdown, step one: every tRPC client is told to reconnect (to another instance). */
    broadcastReconnect() {
      for (const conn of trpcConnections) conn.sendReconnect(RECONNECT_FRAME);
    },

    /** Step two: close what is still open. */
    closeAll(code: number = CLOSE_CODES.restarting, reason = 'server restarting') {
      for (const ws of sockets) ws.close(code, reason);
    },

    connectionCount: () => sockets.size,

    /** Frame builders held for live subscriptions (bounded: see createFrameCache). */
    frameCacheSize: () => builders.size(),

    dispose() {
      expiry.dispose();
      settle.dispose();
      builders.clear();
    },
  };
}

export type WebSocketServer = ReturnType<typeof createWebSocketServer>;
