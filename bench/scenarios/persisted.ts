// Scenario 3: persisted sends (Parley only), on PostgreSQL and on the embedded PGlite. 50 sender
// connections (one user each), no subscribers, so the figure is the write path: validate,
// authorise, persist, ack.
//  - closed loops: every sender keeps `window` sends outstanding (one loop per --window value)
//    -> acked msg/s and ack latency;
//  - open loop at the 10,000 msg/s target -> does it keep up, and at what p99.
import type { Options } from '../lib/cli.ts';
import { percentile } from '../lib/histogram.ts';
import { nowMs } from '../lib/payload.ts';
import type { Pool } from '../lib/pool.ts';
import { fmt, say, status } from '../lib/progress.ts';
import { nextStep, profiled } from '../lib/ramp.ts';
import { cpuMs, postgresCpuMs } from '../lib/server-proc.ts';
import { describeMetrics, metricsStep, type StepMetrics } from '../lib/server-metrics.ts';
import type { TargetName } from '../lib/targets.ts';
import type { ConnSpec } from '../lib/worker.ts';
import { requireConnected, withTarget, type TargetResult } from './common.ts';

const SENDERS = 50;
const TARGET_RATE = 10000;

type Phase = {
  acked_per_s: number;
  sent: number;
  acked: number;
  errors: number;
  p50_ms: number | null;
  p99_ms: number | null;
  server_cpu_pct: number;
  db_cpu_pct: number;
  /** Parley's group commits over the phase (see server-metrics.ts). */
  server_metrics: StepMetrics | null;
};

/** Runs `start` for `ms`, samples acks at the end of the window, then lets in-flight sends finish. */
async function measure(
  pool: Pool,
  server: { pid: number; port: number },
  label: string,
  ms: number,
  start: (step: number) => Promise<void>,
  stop: () => Promise<void>,
): Promise<Phase> {
  const step = nextStep();
  const { pid } = server;
  const metricsEnd = await metricsStep(server.port);
  const cpu0 = cpuMs(pid);
  const db0 = postgresCpuMs();
  const t0 = nowMs();
  await start(step);
  while (nowMs() - t0 < ms) {
    await Bun.sleep(500);
    const s = await pool.stats(step);
    status(`${label}: ${fmt.n(s.acked)} acked, ${fmt.n(s.acked / ((nowMs() - t0) / 1000))}/s, p99 ${fmt.ms(percentile(s.ackHist, 99))} ms`);
  }
  const atEnd = await pool.stats(step);
  const wall = nowMs() - t0;
  const server_metrics = await metricsEnd();
  await stop();
  for (let i = 0; i < 50 && (await pool.stats(step)).inflight > 0; i++) await Bun.sleep(100);
  const s = await pool.stats(step);
  return {
    acked_per_s: Math.round(atEnd.acked / (wall / 1000)),
    sent: s.sent,
    acked: s.acked,
    errors: s.errors,
    p50_ms: percentile(s.ackHist, 50),
    p99_ms: percentile(s.ackHist, 99),
    server_cpu_pct: Math.round(((cpuMs(pid) - cpu0) / wall) * 100),
    db_cpu_pct: Math.round(((postgresCpuMs() - db0) / wall) * 100),
    server_metrics,
  };
}

const show = (p: Phase) =>
  `${fmt.n(p.acked_per_s)} acked/s, p50 ${fmt.ms(p.p50_ms)} ms, p99 ${fmt.ms(p.p99_ms)} ms, server cpu ${p.server_cpu_pct}%, db cpu ${p.db_cpu_pct}%` +
  (p.errors ? `, ${p.errors} errors` : '') +
  (p.server_metrics ? `\n    ${describeMetrics(p.server_metrics)}` : '');

type Db = 'postgres' | 'pglite';

/** One database, one channel layout: a closed loop per window, then the open loop. */
async function variant(opts: Options, db: Db, channels: number) {
  const label = `persisted-${db === 'pglite' ? 'pglite-' : ''}${channels}ch`;
  // 10k/s at a 50 ms p99 is ~500 in flight, 10 per sender; a cap of 20 gives headroom without
  // letting an overloaded server build a minute-long backlog (sends over the cap are skipped)
  const maxInflight = Math.max(20, ...opts.windows);
  return withTarget(
    'parley',
    { rooms: channels, users: SENDERS, label, postgres: db === 'postgres', maxInflight },
    opts,
    async (run, pool) => {
      const specs: ConnSpec[] = Array.from({ length: SENDERS }, (_, i) => ({ r: 'send', room: run.world.rooms[i % channels]!, u: i }));
      requireConnected(`${label} parley`, await pool.connect(specs), SENDERS);
      const closedLoop = (window: number, name: string, ms: number) =>
        measure(
          pool,
          run.server,
          name,
          ms,
          (s) => pool.closedLoop(s, window),
          () => pool.stopClosedLoop(),
        );
      // short warm-up so JIT and connection pools are hot
      await closedLoop(opts.windows[0]!, `${label} warm-up`, 1000);
      const closed_loops: Array<Phase & { window: number }> = [];
      for (const window of opts.windows) {
        const phase = await closedLoop(window, `${label} closed loop x${window}`, opts.durationMs);
        say(`  ${label} closed loop (${SENDERS} senders x ${window} in flight): ${show(phase)}`);
        closed_loops.push({ window, ...phase });
      }
      // BENCH_PROFILE=<dir> profiles this phase alone (see steady-profile.ts).
      const open = await profiled([run.server.pid], `${label} open loop`, () =>
        measure(
          pool,
          run.server,
          `${label} open loop ${TARGET_RATE}/s`,
          opts.durationMs,
          (s) => pool.setRate(s, TARGET_RATE),
          () => pool.setRate(0, 0),
        ),
      );
      const offered = Math.round((TARGET_RATE * opts.durationMs) / 1000);
      say(
        `  ${label} open loop at ${fmt.n(TARGET_RATE)}/s: ${show(open)} (${fmt.n(open.sent)} of ${fmt.n(offered)} offered sends went out; the rest hit the in-flight cap)`,
      );
      return { db, senders: SENDERS, channels, closed_loops, open_loop: { target_rate: TARGET_RATE, offered, ...open } };
    },
  );
}

/**
 * PostgreSQL with 50 channels and with 1 (every send on one channel's counter), then the
 * embedded PGlite (the default deployment) with 50; only PGlite when PostgreSQL is unreachable.
 */
export async function persisted(opts: Options, target: TargetName): Promise<TargetResult> {
  if (target !== 'parley') return { skipped: 'Parley only' };
  const layouts: Array<[Db, number]> = opts.parleyDb === 'postgres' ? [['postgres', SENDERS]] : [];
  if (!opts.quick && opts.parleyDb === 'postgres') layouts.push(['postgres', 1]);
  if (!opts.quick || opts.parleyDb === 'pglite') layouts.push(['pglite', SENDERS]);
  const variants: Record<string, unknown> = {};
  for (const [db, channels] of layouts) variants[`${db}_${channels}_channels`] = await variant(opts, db, channels);
  return { variants };
}
