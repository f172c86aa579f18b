// The four systems under test: how to start each one and how to create the rooms (and, for
// Parley, the users and tokens) a scenario needs. Everything after that speaks the wire only.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupParley } from './parley-setup.ts';
import { freshDatabase } from './postgres.ts';
import type { ProtocolName } from './protocols.ts';
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
  server: ServerProc;
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
      return [bun, ...(process.env.BENCH_PARLEY_FLAGS?.split(' ').filter(Boolean) ?? []), 'server/index.ts'];
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
 */
export async function launch(
  name: TargetName,
  need: { rooms: number; users: number; postgres: boolean; label: string },
  log: (s: string) => void,
): Promise<Running> {
  const port = freePort();
  const cleanups: (() => Promise<void> | void)[] = [];
  const env: Record<string, string> = { PORT: String(port) };
  if (name === 'parley') {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    Object.assign(env, { HOST: '127.0.0.1', DATA_DIR: dataDir, RATE_LIMITS: 'off', LOG_LEVEL: 'warn' });
    if (need.postgres) {
      const db = await freshDatabase();
      env.DATABASE_URL = db.url;
      cleanups.push(() => db.drop());
    }
  }
  let server: ServerProc;
  try {
    server = await startServer({
      name: `${need.label}-${name}`,
      cmd: command(name, port),
      env,
      port,
      readyPath: name === 'parley' ? '/readyz' : '/healthz',
    });
  } catch (e) {
    for (const c of cleanups.reverse()) await c();
    throw e;
  }
  const dispose = async () => {
    await server.stop();
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let world: World;
    if (name === 'parley') {
      const w = await setupParley(`http://127.0.0.1:${port}`, { users: need.users, channels: need.rooms, log });
      world = { rooms: w.channelIds, tokens: w.tokens };
    } else {
      world = { rooms: Array.from({ length: need.rooms }, (_, i) => `r${i}`), tokens: [] };
    }
    return { name, protocol: PROTOCOL_OF[name], server, world, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}
