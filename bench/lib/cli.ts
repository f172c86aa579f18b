// Command-line options. Defaults are the full run (~20 min on 2 cores); --quick is a ~2 min smoke run.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TARGETS, type TargetName } from './targets.ts';

export const SCENARIOS = ['fanout', 'burst', 'rooms', 'persisted', 'cluster', 'capacity', 'history'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type Options = {
  quick: boolean;
  scenarios: ScenarioName[];
  targets: TargetName[];
  workers: number;
  subs: number[];
  /** subscribers of the cluster scenario, spread over its instances */
  clusterSubs: number;
  /** messages the sender sends back to back in the burst scenario */
  burst: number;
  rooms: number;
  roomSize: number;
  capacity: number;
  users: number;
  stepMs: number;
  factor: number;
  durationMs: number;
  /** sends in flight per sender in the persisted scenario's closed loops, one loop each */
  windows: number[];
  parleyDb: 'postgres' | 'pglite';
  /** seconds to wait, before each target, for other jobs on the machine to go quiet */
  waitQuietS: number;
};

/** The open-files hard limit; a server process cannot hold more sockets than this. */
export function fdHardLimit(): number {
  const m = /Max open files\s+\d+\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : 20000;
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      target: { type: 'string' },
      workers: { type: 'string' },
      subs: { type: 'string' },
      'cluster-subs': { type: 'string' },
      burst: { type: 'string' },
      rooms: { type: 'string' },
      'room-size': { type: 'string' },
      capacity: { type: 'string' },
      users: { type: 'string' },
      'step-ms': { type: 'string' },
      factor: { type: 'string' },
      duration: { type: 'string' },
      window: { type: 'string' },
      'parley-db': { type: 'string' },
      'wait-quiet': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (v.help) {
    console.log(`usage: bun bench/run.ts [--quick] [--scenario ${SCENARIOS.join('|')}[,...]]
  [--target ${TARGETS.join('|')}[,...]] [--subs 1000,5000] [--cluster-subs 10000] [--burst 300] [--rooms 1000] [--room-size 10]
  [--capacity N] [--users N] [--workers N] [--step-ms ms] [--factor x] [--duration ms]
  [--window 1,4] [--parley-db postgres|pglite] [--wait-quiet seconds]`);
    process.exit(0);
  }
  const q = v.quick;
  const scenarios = (list(v.scenario) ?? SCENARIOS.filter((s) => s !== 'history')) as ScenarioName[];
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
  const targets = (list(v.target) ?? [...TARGETS]) as TargetName[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}`);
  const num = (s: string | undefined, d: number) => (s === undefined ? d : Number(s));
  return {
    quick: q,
    scenarios,
    targets,
    // worker 0 sends; two receivers keep each under the per-process fd limit at 20k connections
    workers: num(v.workers, 3),
    subs: (list(v.subs) ?? (q ? ['1000'] : ['1000', '5000'])).map(Number),
    clusterSubs: num(v['cluster-subs'], q ? 2000 : 10000),
    burst: num(v.burst, 300),
    rooms: num(v.rooms, q ? 200 : 1000),
    roomSize: num(v['room-size'], 10),
    // the server needs a few descriptors of its own (listener, database, logs)
    capacity: num(v.capacity, q ? 2000 : fdHardLimit() - 100),
    users: num(v.users, q ? 50 : 200),
    stepMs: num(v['step-ms'], q ? 1000 : 2500),
    factor: num(v.factor, q ? 2.5 : 1.5),
    durationMs: num(v.duration, q ? 2000 : 8000),
    windows: (list(v.window) ?? (q ? ['1'] : ['1', '4'])).map(Number),
    parleyDb: (v['parley-db'] as Options['parleyDb']) ?? 'postgres',
    waitQuietS: num(v['wait-quiet'], q ? 10 : 60),
  };
}
