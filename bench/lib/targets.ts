// The four systems under test: how to start each one and how to create the rooms (and, for
// Parley, the users and tokens) a scenario needs. Everything after that speaks the wire only.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupParley } from './parley-setup.ts';
import { freshDatabase } from './postgres.ts';
import type { ProtocolName } from './protocols.ts';
import { redisEnv, redisPid } from './redis.ts';
import { freePort, ROOT, startServer, type ServerProc } from './server-proc.ts';

export const TARGETS = ['parley', 'raw-bun', 'trpc-node', 'socketio-node'] as const;
export type TargetName = (typeof TARGETS)[number];
export const PEERS: TargetName[] = ['raw-bun', 'trpc-node', 'socketio-node'];

export const PROTOCOL_OF: Record<TargetName, ProtocolName> = {
  parley: 'parley',
  'raw-bun': 'raw',
  'trpc-node': 'trpc',
  'socketio-node': 'socketio',
};

export type World = { rooms: string[]; tokens: string[] };
export type Running = {
  name: TargetName;
  protocol: ProtocolName;
  /** the first (or only) instance: setup and senders go here */
  server: ServerProc;
  /** every instance (a Parley cluster has several) */
  servers: ServerProc[];
  /** the local redis-server the instances share, if any (its CPU is counted) */
  redisPid: number | null;
  world: World;
  dispose(): Promise<void>;
};

export function parleyPresent(): boolean {
  return existsSync(join(ROOT, 'server/index.ts'));
}

function command(name: TargetName, port: number): string[] {
  const bun = process.execPath; // the bun binary itself, so /proc/<pid> is the server, not a wrapper
  switch (name) {
    case 'parley':
      // BENCH_PARLEY_FLAGS passes runtime flags to the server, e.g. "--cpu-prof-md --cpu-prof-dir=/tmp/prof".
      // BENCH_PROFILE=<dir> profiles the half-saturation steps alone (see steady-profile.ts).
      return [
        bun,
        ...(process.env.BENCH_PARLEY_FLAGS?.split(' ').filter(Boolean) ?? []),
        ...(process.env.BENCH_PROFILE ? ['--preload', './bench/lib/steady-profile.ts'] : []),
        'server/index.ts',
      ];
    case 'raw-bun':
      return [bun, 'bench/peers/raw-bun.ts', String(port)];
    case 'trpc-node':
      return ['node', 'bench/peers/trpc-node.mjs', String(port)];
    case 'socketio-node':
      return ['node', 'bench/peers/socketio-node.mjs', String(port)];
  }
}

/**
 * Starts `name` on a free port and prepares `rooms` rooms. Parley gets a fresh DATA_DIR (and a
 * fresh PostgreSQL database when `postgres`), `users` registered users, and one channel per room.
 * With `redis`, Parley runs as a cluster of `instances` (default 1) processes on their own ports,
 * sharing the database, one JWT secret and Redis under a fresh key prefix.
 */
export async function launch(
  name: TargetName,
  need: { rooms: number; users: number; postgres: boolean; label: string; instances?: number; redis?: boolean },
  log: (s: string) => void,
): Promise<Running> {
  const count = name === 'parley' ? (need.instances ?? 1) : 1;
  const servers: ServerProc[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const shared: Record<string, string> = {};
    if (name === 'parley') {
      Object.assign(shared, { HOST: '127.0.0.1', RATE_LIMITS: 'off', LOG_LEVEL: 'warn' });
      if (need.postgres) {
        const db = await freshDatabase();
        shared.DATABASE_URL = db.url;
        cleanups.push(() => db.drop());
      }
      if (need.redis) {
        const redis = redisEnv();
        Object.assign(shared, redis.env, { JWT_SECRET: `bench-${crypto.randomUUID()}${crypto.randomUUID()}` });
        cleanups.push(() => redis.drop());
      }
    }
    const start = async (i: number) => {
      const port = freePort();
      const env: Record<string, string> = { ...shared, PORT: String(port) };
      if (name === 'parley') {
        const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
        cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
        env.DATA_DIR = dataDir;
      }
      servers[i] = await startServer({
        name: `${need.label}-${name}${count > 1 ? `-${i + 1}` : ''}`,
        cmd: command(name, port),
        env,
        port,
        readyPath: name === 'parley' ? '/readyz' : '/healthz',
      });
    };
    // All at once: Parley migrates a fresh database at start under an advisory lock.
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => start(i)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    let world: World;
    if (name === 'parley') {
      const w = await setupParley(`http://127.0.0.1:${servers[0]!.port}`, { users: need.users, channels: need.rooms, log });
      world = { rooms: w.channelIds, tokens: w.tokens };
    } else {
      world = { rooms: Array.from({ length: need.rooms }, (_, i) => `r${i}`), tokens: [] };
    }
    return { name, protocol: PROTOCOL_OF[name], server: servers[0]!, servers, redisPid: need.redis ? redisPid() : null, world, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
