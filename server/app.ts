import type { Server } from 'bun';
import { LIMITS } from '../shared/limits.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createTokenService, loadSecret } from './auth/tokens.ts';
import { createClusterAdapters } from './cluster.ts';
import type { Config } from './config.ts';
import { openPglite, openPostgres, type Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { uploadBodyLimit } from './edges/files.ts';
import { bunBodyBackstop } from './edges/http-limits.ts';
import { createStaticSite, type WebSource } from './edges/static.ts';
import { webFromDisk } from './edges/web-build.ts';
import { createHttpHandler } from './edges/http.ts';
import { createMetrics } from './edges/metrics.ts';
import { createOriginPolicy } from './edges/origins.ts';
import { createLogger, type Logger } from './log.ts';
import { createHub } from './realtime/hub.ts';
import { createNotifier } from './realtime/notifier.ts';
import { createGateway, type GatewayInit } from './edges/gateway.ts';
import { createWebSocketServer, type SocketData } from './edges/websocket.ts';
import { createTypingTimers } from './realtime/typing.ts';
import { createFloodGuard } from './ratelimit/bucket.ts';
import { unlimited } from './ratelimit/index.ts';
import { createFileSweeper } from './services/files/sweeper.ts';
import { createSearchUpkeep } from './services/messaging/search-upkeep.ts';
import { periodic } from './startup/periodic.ts';
import { openStorage } from './storage/open.ts';
import { createEventLog } from './realtime/eventlog.ts';
import { channelMessageEvents } from './services/messaging/message-json.ts';
import { createDocEngine } from './services/docs/engine.ts';
import { createDocStore } from './services/docs/store.ts';
import { createServices, type Services } from './services/index.ts';
import { ensureWritableDir, lockDataDir, restrictDataDir, restrictTree } from './startup/datadir.ts';
import { databaseFailure, portFailure, StartupError } from './startup/failures.ts';
import { ensurePortFree } from './startup/port.ts';
import { createDocSocket } from './edges/doc-socket.ts';

export interface Parley {
  url: string;
  port: number;
  services: Services;
  database: Database;
  /** Sweeps removable files now (the timer does it every FILE_SWEEP_SECONDS); returns how many went. */
  sweepFiles(): Promise<number>;
  /** Merges the search index's pending list now (the timer does it every SEARCH_UPKEEP_SECONDS); returns the pages merged. */
  upkeepSearch(): Promise<number>;
  log: Logger;
  /** Tells clients to reconnect elsewhere, drains, and releases every resource. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this database instead of opening one from the config (tests share a prepared one). */
  database?: Database;
  logger?: Logger;
  /**
   * The built web app. Given (the entry points pass it), it is loaded at start and a broken
   * build fails the start; otherwise it is built from client/web on the first request for it.
   */
  web?: WebSource;
}

/** Opens the database the config names, turning the ways that fails into one line naming what to fix. */
async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    const database = openPostgres(config.databaseUrl);
    try {
      await migrate(database, config.databaseUrl);
      await database.ping();
    } catch (err) {
      await database.close().catch(() => {});
      throw databaseFailure(err, config.databaseUrl);
    }
    return database;
  }
  let database: Database;
  try {
    database = await openPglite(config.dataDir);
  } catch (err) {
    throw new StartupError(
      `cannot open the embedded database in DATA_DIR ${config.dataDir}/pgdata: ${String((err as Error)?.message ?? err).split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
  await migrate(database, null);
  restrictTree(config.dataDir);
  return database;
}

/** The composition root: config -> database -> bus/presence -> services -> Bun.serve. */
export async function startParley(config: Config, opts: StartOptions = {}): Promise<Parley> {
  const log = opts.logger ?? createLogger(config.logLevel);
  if (!config.reusePort) await ensurePortFree(config.port, config.host);
  let releaseDataDir = () => {};
  if (!opts.database) {
    ensureWritableDir('DATA_DIR', config.dataDir);
    restrictDataDir(config.dataDir, (msg, fields) => log.warn(msg, fields));
    // The embedded database is one process's: a second one on the same files would corrupt them.
    if (!config.databaseUrl) releaseDataDir = lockDataDir(config.dataDir);
  }
  let database: Database;
  try {
    database = opts.database ?? (await openDatabase(config));
  } catch (err) {
    releaseDataDir();
    throw err;
  }

  const cluster = createClusterAdapters(config, log);
  const { bus, presence, limiter } = cluster;
  const metrics = createMetrics();
  const eventLog = createEventLog(database, [channelMessageEvents]);
  const typing = createTypingTimers(LIMITS.typingTimeoutMs);
  // RATE_LIMITS=off: one switch turns off every rate limit (the size limits stay).
  const floods = createFloodGuard(config.rateLimits);
  // The hub publishes through the server created below; nothing is published before it exists.
  let server: Server<SocketData> | null = null;
  const hub = createHub({
    bus,
    eventLog,
    log,
    publishFrame: (topic, frame) => void server?.publish(topic, frame),
    onGapFill: () => metrics.gapFills.inc(),
  });
  const secret = loadSecret(config.jwtSecret, config.dataDir);
  const storage = openStorage(config);
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
    tokens: createTokenService(secret),
    limiter: config.rateLimits ? limiter : unlimited,
    rateLimit: config.rateLimitMessages,
    registrations: config.rateLimitRegistrations,
    floods,
    notifier: createNotifier(bus),
    presence,
    hub,
    typing,
    orderKeyMaxLength: config.orderKeyMaxLength,
    storage,
    secret,
    files: {
      maxUploadBytes: config.maxUploadBytes,
      rateLimitUploads: config.rateLimitUploads,
      uploadQuotaBytes: config.uploadQuotaBytes,
      uploadTtlSeconds: config.uploadTtlSeconds,
    },
    docStore,
    docEngine,
    log,
    onSendBatch: (b) => {
      metrics.sendBatchMessages.observe(b.messages);
      metrics.sendWaitSeconds.observe(b.waitSeconds);
      metrics.sendWriteSeconds.observe(b.writeSeconds);
      metrics.sendPublishSeconds.observe(b.publishSeconds);
    },
  });
  // Removes unattached uploads and deleted attachments; safe with several instances sweeping.
  const sweeper = createFileSweeper({ database, storage, uploadTtlSeconds: config.uploadTtlSeconds, log });
  const searchUpkeep = createSearchUpkeep(database);
  const jobs = [
    periodic('file sweep', config.fileSweepSeconds, () => sweeper.sweep(), log),
    periodic('search upkeep', config.searchUpkeepSeconds, () => searchUpkeep.run(), log),
  ];
  const stopJobs = () => Promise.all(jobs.map((job) => job.stop()));

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
  // Uploads have their own cap (MAX_UPLOAD_BYTES, counted while streaming in edges/files.ts); the
  // body may be that much plus the multipart framing, or a file of exactly the limit is refused.
  const uploadLimits = { 'files.upload': uploadBodyLimit(config.maxUploadBytes) };
  const site = createStaticSite(opts.web ?? webFromDisk(), { iceServers: config.iceServers });
  const fetch = createHttpHandler({
    services,
    log,
    origins,
    metrics,
    ready: { database: async () => (await database.ping(), true), bus: async () => bus.healthy() },
    upgrade: (req, srv) => sockets.upgrade(req, srv),
    metricsToken: config.metricsToken,
    bodyLimits: uploadLimits,
    web: site.handle,
  });

  const release = async () => {
    await stopJobs();
    sockets.dispose();
    typing.dispose();
    floods.dispose();
    await docEngine.close();
    await hub.close();
    await cluster.close();
    await storage.close();
    if (!opts.database) await database.close();
    if (!opts.database && !config.databaseUrl) restrictTree(config.dataDir);
    releaseDataDir();
  };
  try {
    if (opts.web) {
      await site.load().catch((err) => {
        throw new StartupError(`the built web app cannot be loaded (run npm run build): ${String(err?.message ?? err).split('\n')[0]}`, {
          cause: err,
        });
      });
    }
    server = Bun.serve<SocketData>({
      port: config.port,
      hostname: config.host,
      // Bun turns SO_REUSEPORT on by default outside development, letting a second process
      // bind a taken port silently; sharing a port must be asked for.
      reusePort: config.reusePort,
      development: false,
      fetch,
      websocket: sockets.handler,
      // A backstop for the per-route limits the HTTP edge checks (edges/http-limits.ts).
      maxRequestBodySize: bunBodyBackstop(uploadLimits),
    });
  } catch (err) {
    await release();
    throw portFailure(err, config.port, config.host) ?? err;
  }
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port}`;
  log.info('listening', { url, database: database.kind, cluster: cluster.kind, node: cluster.nodeId });

  return {
    url,
    port: server.port!,
    services,
    database,
    log,
    sweepFiles: () => sweeper.sweep(),
    upkeepSearch: () => searchUpkeep.run(),
    async stop() {
      await stopJobs();
      // Clients reconnect (elsewhere) and resume; give them the grace period, then close the rest.
      sockets.broadcastReconnect();
      void server!.stop(false);
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      while (sockets.connectionCount() > 0 && Date.now() < deadline) await Bun.sleep(50);
      sockets.closeAll();
      await server!.stop(true);
      await release();
    },
  };
}
