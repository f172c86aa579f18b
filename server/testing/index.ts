import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley as startApp } from '../app.ts';
import { loadConfig, type LogLevel } from '../config.ts';
import { createLogger } from '../log.ts';
import { createFreshDatabase } from './database.ts';

/**
 * `parley/testing`: a real Parley for integration suites, in-process (Bun), isolated from every
 * other one: its own database, port, JWT secret, data directory and Redis key prefix.
 *
 * ```ts
 * import { startParley } from 'parley/testing';
 * const parley = await startParley();          // fresh embedded database, port 0, no rate limits
 * afterAll(() => parley.stop());
 * ```
 */
export interface ParleyFixtureOptions {
  /**
   * A PostgreSQL server to use instead of the embedded database. A fresh database is created
   * in it and dropped by `stop()` (unless `freshDatabase` is false). Default: embedded PGlite.
   */
  databaseUrl?: string | null;
  /** With `databaseUrl`: false uses that database as it is (migrated, never dropped). Default true. */
  freshDatabase?: boolean;
  /** Redis for bus, presence and rate limits (needs `databaseUrl`); keys get a prefix of their own. */
  redisUrl?: string | null;
  /** Per-user message limit as in `RATE_LIMIT_MESSAGES`: `'20/10s'` (a real server's default) or `'off'` (default here). */
  rateLimitMessages?: string;
  /** Port to listen on (default 0: a free one). */
  port?: number;
  /** Server log level (default `error`); logs go to stderr. */
  logLevel?: LogLevel;
  /** Any other configuration variable (see the README's table), e.g. `{ CORS_ORIGINS: '*' }`. */
  env?: Record<string, string>;
}

export interface ParleyFixture {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what `createParleyClient({ url })` takes). */
  url: string;
  /** The tRPC WebSocket endpoint, for a stock `@trpc/client` `createWSClient`. */
  wsUrl: string;
  port: number;
  /** Drains and stops the server, then drops its database and data directory. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an isolated Parley; stop it with `await parley.stop()` (or `await using`). */
export async function startParley(opts: ParleyFixtureOptions = {}): Promise<ParleyFixture> {
  const serverUrl = opts.databaseUrl ?? null;
  if (opts.redisUrl && !serverUrl) throw new Error('parley/testing: redisUrl needs databaseUrl (the embedded database is single-instance)');
  const fresh = serverUrl && opts.freshDatabase === false ? null : await createFreshDatabase(serverUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-fixture-'));
  const databaseUrl = fresh ? fresh.url : serverUrl;
  try {
    const config = loadConfig({
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      JWT_SECRET: `fixture-${crypto.randomUUID()}-${crypto.randomUUID()}`,
      LOG_LEVEL: opts.logLevel ?? 'error',
      RATE_LIMIT_MESSAGES: opts.rateLimitMessages ?? 'off',
      SHUTDOWN_GRACE_SECONDS: '0',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl, REDIS_PREFIX: `parley-fixture:${crypto.randomUUID().slice(0, 8)}:` } : {}),
      ...opts.env,
    });
    const parley = await startApp(config, {
      ...(fresh ? { database: fresh.database } : {}),
      logger: createLogger(config.logLevel, (line) => console.error(line)),
    });
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        await parley.stop();
        await fresh?.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      })());
    return { url: parley.url, wsUrl: `${parley.url.replace(/^http/, 'ws')}/trpc`, port: parley.port, stop, [Symbol.asyncDispose]: stop };
  } catch (err) {
    await fresh?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
