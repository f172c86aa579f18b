import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { Subprocess } from 'bun';
import Redis from 'ioredis';
import postgres from 'postgres';
import type { AppRouter } from '../../../client/index.ts';
import { openPostgres, type Database } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { createEventLog } from '../../realtime/eventlog.ts';
import { channelMessageEvents } from '../../services/messaging/message-json.ts';
import { eventually } from './events.ts';
import { TEST_JWT_SECRET } from './server.ts';

/**
 * Multi-process clusters for the scale-out suites (server/test/cluster) and the cluster
 * benchmark: N real `bun server/index.ts` processes sharing one fresh PostgreSQL database and
 * one Redis key prefix, plus a private `redis-server` a test may stop and restart.
 *
 * A cluster needs PostgreSQL and Redis whatever the suite's environment: without DATABASE_URL /
 * REDIS_URL it uses the local services every development machine and CI runner has.
 */

const ROOT = join(import.meta.dir, '../../..');
export const CLUSTER_DATABASE_URL = process.env.DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';
export const CLUSTER_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** How long an instance may take to print its `listening` line. */
const START_TIMEOUT_MS = 60_000;
/** How long a SIGTERMed instance may drain before it is SIGKILLed. */
const STOP_TIMEOUT_MS = 15_000;
/** Log lines kept per instance (for failure messages). */
export const LOG_LINES = 400;

/** Every child this process started and has not reaped yet: killed if the test process exits early. */
export const children = new Set<Subprocess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A port nobody listens on right now (the OS picks it and it is released at once). */
export function freePort(): number {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Reads a child's output line by line into `onLine` until the stream ends. */
export function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  return (async () => {
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    if (rest) onLine(rest);
  })().catch(() => {});
}

/** One running `bun server/index.ts`. */
export interface Instance {
  /** Position in the cluster (0-based), for messages. */
  index: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pid: number;
  /** Its node id (from the `listening` log line). */
  node: string;
  /** The last lines it wrote (stdout and stderr). */
  logs: string[];
  /** Resolves with the exit code (or signal number) once the process is gone. */
  exited: Promise<number>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends `signal` and waits until the process is gone (SIGKILL after a timeout). */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Spawns one instance with exactly `env` (plus PATH/HOME), reads its port from the `listening` line and waits until /readyz answers 200. */
export async function startInstance(index: number, env: Record<string, string>): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  const proc = Bun.spawn([process.execPath, 'server/index.ts'], {
    cwd: ROOT,
    // Nothing inherited from the suite's environment but what a process needs to run.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  children.add(proc);
  const exited = proc.exited.then((code) => {
    children.delete(proc);
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  });
  const logs: string[] = [];
  let onListening: (line: { url: string; node: string }) => void = () => {};
  const listening = new Promise<{ url: string; node: string }>((resolve) => (onListening = resolve));
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > LOG_LINES) logs.shift();
    if (!line.includes('"listening"')) return;
    try {
      const parsed = JSON.parse(line) as { msg?: string; url?: string; node?: string };
      if (parsed.msg === 'listening' && parsed.url) onListening({ url: parsed.url, node: parsed.node ?? '' });
    } catch {
      // Not a log line of ours.
    }
  };
  void pump(proc.stdout, keep);
  void pump(proc.stderr, keep);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = await Promise.race([
    listening,
    exited.then((code) => new Error(`instance ${index} exited with ${code} before listening:\n${logs.join('\n')}`)),
    new Promise<Error>((resolve) => {
      timer = setTimeout(
        () => resolve(new Error(`instance ${index} not listening after ${START_TIMEOUT_MS} ms:\n${logs.join('\n')}`)),
        START_TIMEOUT_MS,
      );
    }),
  ]);
  clearTimeout(timer);
  if (started instanceof Error) {
    proc.kill('SIGKILL');
    await exited;
    throw started;
  }
  const port = Number(new URL(started.url).port);
  // `listening` comes before Redis is connected: the instance is started once /readyz says so.
  try {
    await eventually(async () => (await fetch(`${started.url}/readyz`)).status === 200, START_TIMEOUT_MS, `instance ${index} to be ready`);
  } catch (err) {
    proc.kill('SIGKILL');
    await exited;
    throw new Error(`${String(err)}:\n${logs.join('\n')}`);
  }
  return {
    index,
    url: started.url,
    port,
    pid: proc.pid,
    node: started.node,
    logs,
    exited,
    alive: () => children.has(proc),
    async kill(signal = 'SIGTERM') {
      if (!children.has(proc)) return;
      proc.kill(signal);
      const force = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(force);
    },
  };
}

/** A fresh, migrated PostgreSQL database on the cluster's server, dropped by `dispose`. */
export async function createClusterDatabase(baseUrl = CLUSTER_DATABASE_URL) {
  const name = `parley_cluster_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString(), { max: 4 });
  await migrate(database, url.toString());
  return {
    url: url.toString(),
    database,
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Deletes every key under `prefix` (best effort: a Redis that is down has nothing to clean). */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Unreachable: nothing we could delete.
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Keys currently under `prefix` (for asserting cleanup). */
export async function redisKeys(redisUrl: string, prefix: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return await redis.keys(`${prefix}*`);
  } finally {
    redis.disconnect();
  }
}

export interface ClusterOptions {
  /** Number of instances (default 3). */
  instances?: number;
  /** Extra environment for every instance (e.g. RATE_LIMIT_MESSAGES). */
  env?: Record<string, string>;
  /** Redis to share (default REDIS_URL or the local one). */
  redisUrl?: string;
  /** LOG_LEVEL of the instances; `info` at least (the `listening` line is parsed). */
  logLevel?: 'debug' | 'info';
}

export interface Cluster {
  instances: Instance[];
  /** The shared database, for reading what the instances persisted. */
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  /** This cluster's Redis key prefix. */
  prefix: string;
  /** The environment every instance got. */
  env: Record<string, string>;
  /** Starts one more instance with the same environment. */
  add(): Promise<Instance>;
  /** Stops every instance, drops the database and deletes the prefix's Redis keys. */
  stop(): Promise<void>;
}

/** Starts `instances` processes over one fresh database and one Redis prefix. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const db = await createClusterDatabase();
  const redisUrl = opts.redisUrl ?? CLUSTER_REDIS_URL;
  const prefix = `parley-cluster-test:${crypto.randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: opts.logLevel ?? 'info',
    RATE_LIMIT_MESSAGES: 'off',
    // Test files register many users from 127.0.0.1 (server/test/security tests the limit).
    RATE_LIMIT_REGISTRATIONS: 'off',
    SHUTDOWN_GRACE_SECONDS: '1',
    ...opts.env,
  };
  const instances: Instance[] = [];
  const cluster: Cluster = {
    instances,
    database: db.database,
    databaseUrl: db.url,
    redisUrl,
    prefix,
    env,
    async add() {
      const instance = await startInstance(instances.length, env);
      instances.push(instance);
      return instance;
    },
    async stop() {
      await Promise.all(instances.map((i) => i.kill('SIGTERM')));
      await db.dispose();
      await deleteRedisPrefix(redisUrl, prefix);
    },
  };
  try {
    // All at once: migrations at start run under an advisory lock, as in a real rollout.
    const started = await Promise.allSettled(Array.from({ length: opts.instances ?? 3 }, (_, i) => startInstance(i, env)));
    for (const s of started) if (s.status === 'fulfilled') instances.push(s.value);
    instances.sort((a, b) => a.index - b.index);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** A durable stream as the database holds it (the source of truth): `{ seq, event }` in sequence order, as a replay reads it. */
export async function streamLog(database: Database, stream: string): Promise<Array<{ seq: number; event: any }>> {
  const all = await createEventLog(database, [channelMessageEvents]).read(stream, 0, 1_000_000);
  return all.map((e) => ({ seq: e.seq, event: JSON.parse(e.json) }));
}

/**
 * Whether `instance` has registered itself in the cluster's liveness set (server/redis/presence.ts
 * heartbeats `<prefix>nodes`), i.e. whether the other instances would know to sweep it if it died.
 */
export async function isRegistered(cluster: Pick<Cluster, 'redisUrl' | 'prefix'>, instance: Instance): Promise<boolean> {
  const redis = new Redis(cluster.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return (await redis.sismember(`${cluster.prefix}nodes`, instance.node)) === 1;
  } finally {
    redis.disconnect();
  }
}

/** GET /readyz of an instance: the status code and the body. */
export async function readyz(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

/**
 * A stock tRPC WebSocket client whose server can be switched: tRPC's `url` option takes a
 * function, called on every (re)connection, so after `moveTo` its next reconnect goes there.
 */
export function movableWsClient(initialUrl: string, token: string) {
  let current = initialUrl;
  let connects = 0;
  const ws = createWSClient({
    url: () => {
      connects++;
      return `${current.replace(/^http/, 'ws')}/trpc`;
    },
    connectionParams: { token },
    retryDelayMs: () => 100,
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return {
    api,
    ws,
    close: () => ws.close(),
    moveTo(url: string) {
      current = url;
    },
    /** The base URL the next (re)connection goes to. */
    url: () => current,
    /** How many times the client has opened (or tried to open) a socket. */
    connects: () => connects,
  };
}
