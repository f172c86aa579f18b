import type { Server } from 'bun';
import webApp from '../client/web/index.html';
import { LIMITS } from '../shared/limits.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createTokenService, loadSecret } from './auth/tokens.ts';
import { createClusterAdapters } from './cluster.ts';
import type { Config } from './config.ts';
import { openPglite, openPostgres, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { createHttpHandler } from './edges/http.ts';
import { createMetrics } from './edges/metrics.ts';
import { createOriginPolicy } from './edges/origins.ts';
import { createLogger, type Logger } from './log.ts';
import { createHub } from './realtime/hub.ts';
import { createNotifier } from './realtime/notifier.ts';
import { createGateway, type GatewayInit } from './edges/gateway.ts';
import { createWebSocketServer, type SocketData } from './edges/websocket.ts';
import { createTypingTimers } from './realtime/typing.ts';
import { createEventLog } from './realtime/eventlog.ts';
import { createDocEngine } from './services/docs/engine.ts';
import { createDocStore } from './services/docs/store.ts';
import { createServices, type Services } from './services/index.ts';
import { createDocSocket } from './edges/doc-socket.ts';

export interface Parley {
  url: string;
  port: number;
  services: Services;
  database: Database;
  log: Logger;
  /** Tells clients to reconnect elsewhere, drains, and releases every resource. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this database instead of opening one from the config (tests share a prepared one). */
  database?: Database;
  logger?: Logger;
}

/** The composition root: config -> database -> bus/presence -> services -> Bun.serve. */
export async function startParley(config: Config, opts: StartOptions = {}): Promise<Parley> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const database = opts.database ?? (config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.dataDir));
  if (!opts.database) await migrate(database, config.databaseUrl);

  const cluster = createClusterAdapters(config, log);
  const { bus, presence, limiter } = cluster;
  const metrics = createMetrics();
  const eventLog = createEventLog(database);
  const typing = createTypingTimers(LIMITS.typingTimeoutMs);
  // The hub publishes through the server created below; nothing is published before it exists.
  let server: Server<SocketData> | null = null;
  const hub = createHub({
    bus,
    eventLog,
    log,
    publishFrame: (topic, frame) => void server?.publish(topic, frame),
    onGapFill: () => metrics.gapFills.inc(),
  });
  const docStore = createDocStore(database);
  const docEngine = createDocEngine({
    store: docStore,
    bus,
    log,
    nodeId: cluster.nodeId,
    compactEvery: config.docCompactEvery,
    writeConcurrency: database.kind === 'pglite' ? 1 : 4,
  });
  const services = createServices({
    database,
    eventLog,
    passwords: createPasswordHasher({ concurrency: 2, maxQueue: 256 }),
    tokens: createTokenService(loadSecret(config.jwtSecret, config.dataDir)),
    limiter,
    rateLimit: config.rateLimitMessages,
    notifier: createNotifier(bus),
    presence,
    hub,
    typing,
    docStore,
    docEngine,
    log,
  });

  const origins = createOriginPolicy(config.corsOrigins);
  const gateway = createGateway({ services, log });
  const sockets = createWebSocketServer({
    services,
    log,
    metrics,
    origins,
    gcAfterConnectBursts: config.gcAfterConnectBursts,
    acceptGateway: gateway.accept,
    openGateway: (ws, init, expiry) => gateway.open(ws, init as GatewayInit, expiry),
    docSocket: createDocSocket({ services, log }),
  });
  const fetch = createHttpHandler({
    services,
    log,
    origins,
    metrics,
    ready: { database: async () => (await database.ping(), true), bus: async () => bus.healthy() },
    upgrade: (req, srv) => sockets.upgrade(req, srv),
  });

  server = Bun.serve<SocketData>({
    port: config.port,
    hostname: config.host,
    // The web app (client/web), bundled by Bun from its HTML entry on first request.
    routes: { '/': webApp },
    // Serve the bundled app, not Bun's dev server with hot reload.
    development: false,
    fetch,
    websocket: sockets.handler,
  });
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port}`;
  log.info('listening', { url, database: database.kind, cluster: cluster.kind, node: cluster.nodeId });

  return {
    url,
    port: server.port!,
    services,
    database,
    log,
    async stop() {
      // Clients reconnect (elsewhere) and resume; give them the grace period, then close the rest.
      sockets.broadcastReconnect();
      void server!.stop(false);
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      while (sockets.connectionCount() > 0 && Date.now() < deadline) await Bun.sleep(50);
      sockets.closeAll();
      sockets.dispose();
      await server!.stop(true);
      typing.dispose();
      await docEngine.close();
      await hub.close();
      await cluster.close();
      if (!opts.database) await database.close();
    },
  };
}
