// Scenario: one channel, N subscribers (first --subs value), one sender that sends --burst messages
// back to back (no pacing). Per round: wall time from the first send to the last delivery,
// deliveries/s over that time, % delivered, end-to-end p50/p99 and the server's CPU. Three rounds;
// the median round (by deliveries/s) is the figure, every round is kept in the JSON.
import { LIMITS } from '../../shared/limits.ts';
import type { Options } from '../lib/cli.ts';
import { percentile } from '../lib/histogram.ts';
import { nowMs } from '../lib/payload.ts';
import type { Pool } from '../lib/pool.ts';
import { fmt, say, status } from '../lib/progress.ts';
import { nextStep, profiled, quiesce } from '../lib/ramp.ts';
import { cpuMs, machineBusyMs, postgresCpuMs } from '../lib/server-proc.ts';
import { describeMetrics, metricsStep, type StepMetrics } from '../lib/server-metrics.ts';
import type { TargetName } from '../lib/targets.ts';
import type { ConnSpec } from '../lib/worker.ts';
import { requireConnected, withTarget, type TargetResult } from './common.ts';

const ROUNDS = 3;
const TIMEOUT_MS = 60000;

export type BurstRound = {
  step: number;
  sent: number;
  expected: number;
  delivered: number;
  ratio: number;
  /** first send -> last delivery */
  wall_ms: number;
  deliveries_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  /** server CPU over the round, in % of one core and in ms */
  server_cpu_pct: number;
  server_cpu_ms: number;
  db_cpu_pct: number;
  loadgen_cpu_pct: number;
  other_cpu_pct: number;
  conns_closed: number;
  /** sends the server refused (e.g. Parley's per-connection request queue is full) */
  errors: number;
  error?: string;
  /** Parley's own metrics over the round (group commits, loop lag); absent for peers */
  server_metrics?: StepMetrics;
};

async function round(pool: Pool, target: { pid: number; port: number }, fan: number, count: number, label: string): Promise<BurstRound> {
  const { pid, port } = target;
  const step = nextStep();
  const metricsEnd = await metricsStep(port);
  const before = await pool.stats(step);
  const srv0 = cpuMs(pid);
  const db0 = postgresCpuMs();
  const all0 = machineBusyMs();
  const start = nowMs();
  const { t0 } = await pool.burst(step, count);
  const expected = count * fan;
  let s = await pool.stats(step);
  // Wait until every delivery arrived, or every send was answered (acked or refused) and each acked
  // one was delivered, or the timeout: no fixed sleep decides the figure.
  const settled = () => s.recv >= expected || (s.sent >= count && s.acked + s.errors >= s.sent && s.recv >= s.acked * fan);
  while (!settled() && nowMs() - t0 < TIMEOUT_MS) {
    await Bun.sleep(25);
    s = await pool.stats(step);
    status(`${label} burst: sent ${fmt.n(s.sent)} delivered ${fmt.n(s.recv)} (${fmt.pct(s.recv / expected)})`);
  }
  const window = nowMs() - start;
  const pct = (ms: number) => Math.round((ms / window) * 100);
  const server = cpuMs(pid) - srv0;
  const db = Math.max(0, pct(postgresCpuMs() - db0)); // a PostgreSQL process may exit meanwhile
  const gen = pct(s.cpuMs - before.cpuMs);
  const wall = s.recv ? s.last - t0 : nowMs() - t0;
  const server_metrics = await metricsEnd();
  return {
    step,
    sent: s.sent,
    expected,
    delivered: s.recv,
    ratio: s.recv / expected,
    wall_ms: wall,
    deliveries_per_s: s.recv / (wall / 1000),
    p50_ms: percentile(s.hist, 50),
    p99_ms: percentile(s.hist, 99),
    server_cpu_pct: pct(server),
    server_cpu_ms: server,
    db_cpu_pct: db,
    loadgen_cpu_pct: gen,
    other_cpu_pct: Math.max(0, pct(machineBusyMs() - all0) - pct(server) - db - gen),
    conns_closed: s.closed - before.closed,
    errors: s.errors,
    ...(s.errors ? { error: s.error } : {}),
    ...(server_metrics ? { server_metrics } : {}),
  };
}

function describe(r: BurstRound): string {
  return (
    `${fmt.n(r.sent)} sent, ${fmt.n(r.delivered)} delivered (${fmt.pct(r.ratio)}) in ${fmt.ms(r.wall_ms)} ms: ` +
    `${fmt.n(r.deliveries_per_s)} deliveries/s, p50 ${fmt.ms(r.p50_ms)} ms, p99 ${fmt.ms(r.p99_ms)} ms, ` +
    `server cpu ${r.server_cpu_pct}% (${fmt.n(r.server_cpu_ms)} ms)` +
    (r.db_cpu_pct >= 1 ? `, db cpu ${r.db_cpu_pct}%` : '') +
    `, loadgen cpu ${r.loadgen_cpu_pct}%` +
    (r.other_cpu_pct >= 20 ? `, OTHER cpu ${r.other_cpu_pct}%` : '') +
    (r.conns_closed ? `, ${r.conns_closed} conns closed` : '') +
    (r.errors ? `, ${r.errors} errors (${r.error?.slice(0, 160)})` : '') +
    (r.server_metrics ? `\n      ${describeMetrics(r.server_metrics)}` : '')
  );
}

export async function burst(opts: Options, target: TargetName): Promise<TargetResult> {
  const subs = opts.subs[0]!;
  const label = `burst-${subs}`;
  const users = Math.min(opts.users, subs);
  // A well-behaved client of Parley keeps at most what one socket runs and queues unanswered
  // (more is refused with TOO_MANY_REQUESTS); every target gets the same cap.
  const maxInflight = LIMITS.wsInFlightMax + LIMITS.wsQueuedMax;
  return withTarget(target, { rooms: 1, users, label, maxInflight }, opts, async (run, pool) => {
    const room = run.world.rooms[0]!;
    const specs: ConnSpec[] = Array.from({ length: subs }, (_, i) => ({ r: 'sub', room, u: i % users }));
    specs.push({ r: 'send', room, u: 0 });
    const c = await pool.connect(specs);
    requireConnected(`${label} ${target}`, c, subs + 1);
    await Bun.sleep(500); // let subscription setup (presence events etc.) settle
    const fan = c.ok - 1;
    const ctx = { pool, pids: [run.server.pid], fan, label: `${label} ${target}`, waitQuietS: opts.waitQuietS };
    const rounds: BurstRound[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i) await quiesce(ctx);
      // BENCH_PROFILE=<dir> profiles each round alone (see steady-profile.ts).
      const pids = target === 'parley' ? ctx.pids : [];
      const r = await profiled(pids, `${ctx.label} round ${i + 1}`, () => round(pool, run.server, fan, opts.burst, ctx.label));
      rounds.push(r);
      say(`  ${ctx.label} round ${i + 1}: ${describe(r)}`);
    }
    const median = [...rounds].sort((a, b) => a.deliveries_per_s - b.deliveries_per_s)[ROUNDS >> 1]!;
    say(`  ${ctx.label} median: ${describe(median)}`);
    return { subscribers: fan, burst: opts.burst, connect_ms: Math.round(c.ms), median, rounds };
  });
}
