// Scenario 3: persisted sends on PostgreSQL (Parley only). 50 sender connections (one user each),
// no subscribers, so the figure is the write path: validate, authorise, persist, ack.
//  - closed loop: every sender keeps `window` sends outstanding -> max acked msg/s and ack latency;
//  - open loop at the 10,000 msg/s target -> does it keep up, and at what p99.
import type { Options } from '../lib/cli.ts';
import { percentile } from '../lib/histogram.ts';
import { nowMs } from '../lib/payload.ts';
import type { Pool } from '../lib/pool.ts';
import { fmt, say, status } from '../lib/progress.ts';
import { nextStep, profiled } from '../lib/ramp.ts';
import { cpuMs, postgresCpuMs } from '../lib/server-proc.ts';
import { describeMetrics, scrapeMetrics, stepMetrics, type StepMetrics } from '../lib/server-metrics.ts';
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
  const metrics0 = await scrapeMetrics(server.port);
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
  const server_metrics = stepMetrics(metrics0, await scrapeMetrics(server.port));
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

export async function persisted(opts: Options, target: TargetName): Promise<TargetResult> {
  if (target !== 'parley') return { skipped: 'Parley only' };
  if (opts.parleyDb !== 'postgres') return { skipped: 'needs PostgreSQL' };
  const variants: Record<string, unknown> = {};
  for (const channels of opts.quick ? [SENDERS] : [SENDERS, 1]) {
    const label = `persisted-${channels}ch`;
    // 10k/s at a 50 ms p99 is ~500 in flight, 10 per sender; a cap of 20 gives headroom without
    // letting an overloaded server build a minute-long backlog (sends over the cap are skipped)
    variants[`${channels}_channels`] = await withTarget(
      target,
      { rooms: channels, users: SENDERS, label, postgres: true, maxInflight: 20 },
      opts,
      async (run, pool) => {
        const specs: ConnSpec[] = Array.from({ length: SENDERS }, (_, i) => ({ r: 'send', room: run.world.rooms[i % channels]!, u: i }));
        requireConnected(`${label} parley`, await pool.connect(specs), SENDERS);
        // short warm-up so JIT and connection pools are hot
        await measure(
          pool,
          run.server,
          `${label} warm-up`,
          1000,
          (s) => pool.closedLoop(s, opts.window),
          () => pool.stopClosedLoop(),
        );
        const closed = await measure(
          pool,
          run.server,
          `${label} closed loop`,
          opts.durationMs,
          (s) => pool.closedLoop(s, opts.window),
          () => pool.stopClosedLoop(),
        );
        say(`  ${label} closed loop (${SENDERS} senders x ${opts.window} in flight): ${show(closed)}`);
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
        return {
          senders: SENDERS,
          channels,
          window: opts.window,
          closed_loop: closed,
          open_loop: { target_rate: TARGET_RATE, offered, ...open },
        };
      },
    );
  }
  return { variants };
}
