// Open-loop rising-rate measurement shared by the fan-out and many-rooms scenarios.
// Each step sends at a fixed rate for a few seconds, then waits for deliveries to drain.
// Saturation is the first step where deliveries stop keeping up (< 95% delivered, p99 > 500 ms,
// or the server stops accepting sends); the peak deliveries/s seen is the throughput figure,
// and a final run at half of it gives the latency figures.
import { percentile } from './histogram.ts';
import { nowMs } from './payload.ts';
import type { Pool } from './pool.ts';
import { fmt, say, status } from './progress.ts';
import { cpuMs, machineBusyMs, postgresCpuMs, waitQuiet } from './server-proc.ts';
import { describeMetrics, metricsStep, type StepMetrics } from './server-metrics.ts';

export type StepResult = {
  step: number;
  seconds: number;
  target_rate: number;
  sent_rate: number;
  expected: number;
  delivered: number;
  ratio: number;
  deliveries_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  /** send -> ack latency (tRPC peer and Parley only): shows when the write path is the limit */
  ack_p99_ms: number | null;
  /** summed over the instances of a cluster */
  server_cpu_pct: number;
  /** all PostgreSQL processes (Parley on PostgreSQL; ~0 otherwise): they share the same cores */
  db_cpu_pct: number;
  /** the redis-server a cluster shares (only when there is one) */
  redis_cpu_pct?: number;
  loadgen_cpu_pct: number;
  /** everything else on the machine (other jobs): the cores are shared, so this skews results */
  other_cpu_pct: number;
  conns_closed: number;
  errors: number;
  /** Parley only, from its /metrics on the sender's instance: group commits and event-loop lag during the step */
  server_metrics?: StepMetrics;
};

export type RampResult = {
  steps: StepResult[];
  saturation: { deliveries_per_s: number; rate: number; step: number; reason: string };
  half: StepResult;
};

/** `pids`: the server processes (their CPU is summed); `redisPid`: a Redis they share, if any. */
export type RampCtx = {
  pool: Pool;
  pids: number[];
  redisPid?: number | null;
  fan: number;
  label: string;
  waitQuietS: number;
  /** The sender's server port: its /metrics is read around each step when it has Parley's. */
  metricsPort?: number;
  /** Parley's processes: with BENCH_PROFILE set, the half-saturation step is profiled in them (steady-profile.ts). */
  profilePids?: number[];
};

const sumCpuMs = (pids: number[]) => pids.reduce((a, pid) => a + cpuMs(pid), 0);

let stepSeq = 0;
/** A fresh step id; ids are unique per run so a late delivery never lands in the wrong step. */
export function nextStep(): number {
  return ++stepSeq;
}

/** Sends at `rate` msg/s for `ms`, drains, and summarises. */
export async function runStep(ctx: RampCtx, rate: number, ms: number): Promise<StepResult> {
  const step = nextStep();
  const before = await ctx.pool.stats(step);
  const srv0 = sumCpuMs(ctx.pids);
  const db0 = postgresCpuMs();
  const redis0 = ctx.redisPid ? cpuMs(ctx.redisPid) : 0;
  const all0 = machineBusyMs();
  const metricsEnd = await metricsStep(ctx.metricsPort);
  const t0 = nowMs();
  await ctx.pool.setRate(step, rate);
  const line = (s: Awaited<ReturnType<Pool['stats']>>, phase: string) =>
    `${ctx.label} ${phase} ${fmt.n(rate)}/s: sent ${fmt.n(s.sent)} delivered ${fmt.n(s.recv)}` +
    ` (${fmt.pct(s.recv / Math.max(1, s.sent * ctx.fan))}) p99 ${fmt.ms(percentile(s.hist, 99))} ms`;
  while (nowMs() - t0 < ms) {
    await Bun.sleep(Math.min(500, Math.max(1, ms - (nowMs() - t0))));
    status(line(await ctx.pool.stats(step), 'sending'));
  }
  await ctx.pool.setRate(step, 0);
  const tStop = nowMs();
  // Drain: until everything arrived, nothing arrived for 750 ms, or 5 s passed.
  let s = await ctx.pool.stats(step);
  let lastRecv = s.recv;
  let lastChange = nowMs();
  while (s.recv < s.sent * ctx.fan && nowMs() - lastChange < 750 && nowMs() - tStop < 5000) {
    await Bun.sleep(100);
    s = await ctx.pool.stats(step);
    if (s.recv !== lastRecv) {
      lastRecv = s.recv;
      lastChange = nowMs();
    }
    status(line(s, 'draining'));
  }
  const wall = nowMs() - t0;
  const server_metrics = await metricsEnd();
  const pct = (ms: number) => Math.round((ms / wall) * 100);
  const server = pct(sumCpuMs(ctx.pids) - srv0);
  const db = pct(postgresCpuMs() - db0);
  const redis = ctx.redisPid ? pct(cpuMs(ctx.redisPid) - redis0) : 0;
  const gen = pct(s.cpuMs - before.cpuMs);
  const expected = s.sent * ctx.fan;
  const span = Math.max(ms, (s.last || t0) - t0) / 1000;
  return {
    step,
    seconds: ms / 1000,
    target_rate: rate,
    sent_rate: s.sent / (ms / 1000),
    expected,
    delivered: s.recv,
    ratio: expected ? s.recv / expected : 0,
    deliveries_per_s: s.recv / span,
    p50_ms: percentile(s.hist, 50),
    p99_ms: percentile(s.hist, 99),
    ack_p99_ms: percentile(s.ackHist, 99),
    server_cpu_pct: server,
    db_cpu_pct: db,
    ...(ctx.redisPid ? { redis_cpu_pct: redis } : {}),
    loadgen_cpu_pct: gen,
    other_cpu_pct: Math.max(0, pct(machineBusyMs() - all0) - server - db - redis - gen),
    conns_closed: s.closed - before.closed,
    errors: s.errors,
    ...(server_metrics ? { server_metrics } : {}),
  };
}

export function describe(r: StepResult): string {
  return (
    `rate ${fmt.n(r.target_rate)}/s (sent ${fmt.n(r.sent_rate)}/s): ${fmt.n(r.deliveries_per_s)} deliveries/s, ` +
    `${fmt.pct(r.ratio)} delivered, p50 ${fmt.ms(r.p50_ms)} ms, p99 ${fmt.ms(r.p99_ms)} ms, ` +
    (r.ack_p99_ms === null ? '' : `ack p99 ${fmt.ms(r.ack_p99_ms)} ms, `) +
    `server cpu ${r.server_cpu_pct.toFixed(0)}%` +
    (r.db_cpu_pct >= 1 ? `, db cpu ${r.db_cpu_pct.toFixed(0)}%` : '') +
    (r.redis_cpu_pct === undefined ? '' : `, redis cpu ${r.redis_cpu_pct}%`) +
    `, loadgen cpu ${r.loadgen_cpu_pct.toFixed(0)}%` +
    (r.other_cpu_pct >= 20 ? `, OTHER cpu ${r.other_cpu_pct}%` : '') +
    (r.conns_closed ? `, ${r.conns_closed} conns closed` : '') +
    (r.errors ? `, ${r.errors} errors` : '') +
    (r.server_metrics ? `\n      ${describeMetrics(r.server_metrics)}` : '')
  );
}

/** Why a step counts as saturated, or null if the server kept up. */
export function saturated(r: StepResult): string | null {
  if (r.conns_closed > 0) return `${r.conns_closed} connections closed by the server`;
  if (r.ratio < 0.95) return `only ${(r.ratio * 100).toFixed(1)}% delivered`;
  if ((r.p99_ms ?? 0) > 500) return `p99 ${Math.round(r.p99_ms!)} ms > 500 ms`;
  // one message of slack keeps very low rates (a few per step) from tripping this on rounding
  if (r.sent_rate * r.seconds < 0.9 * r.target_rate * r.seconds - 1) return 'sender fell behind (server not reading or not acking)';
  return null;
}

/** Waits until no deliveries arrive for 1 s (max 15 s), then reopens connections the server dropped. */
export async function quiesce(ctx: RampCtx): Promise<void> {
  const t0 = nowMs();
  let prev = -1;
  for (;;) {
    const s = await ctx.pool.stats(0);
    if (s.totalRecv === prev || nowMs() - t0 > 15000) break;
    prev = s.totalRecv;
    await Bun.sleep(1000);
  }
  const r = await ctx.pool.reconnect();
  if (r.dead) say(`  ${ctx.label}: reopened ${r.ok}/${r.dead} connections the server had closed`);
}

/** Runs `step` with Parley's sampling profiler on in `pids` when BENCH_PROFILE is set (SIGUSR2 starts it, the next one writes it). */
export async function profiled<T>(pids: number[], label: string, step: () => Promise<T>): Promise<T> {
  if (!process.env.BENCH_PROFILE) return step();
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  try {
    return await step();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGUSR2');
    if (pids.length) say(`  ${label}: profile written to ${process.env.BENCH_PROFILE}/`);
  }
}

/** Rising-rate search for saturation, then a latency run at half the saturated delivery rate. */
export async function ramp(
  ctx: RampCtx,
  opts: { startRate: number; factor: number; stepMs: number; maxSteps: number },
): Promise<RampResult> {
  const steps: StepResult[] = [];
  let rate = opts.startRate;
  let reason = '';
  let backoffs = 0;
  for (let i = 0; i < opts.maxSteps; i++) {
    const r = await runStep(ctx, rate, opts.stepMs);
    steps.push(r);
    say(`  ${ctx.label} step ${i + 1}: ${describe(r)}`);
    reason = saturated(r) ?? '';
    if (reason && backoffs < 3 && rate > 1 && steps.every((x) => saturated(x))) {
      // Overloaded from the very first step: start lower, or the figures only describe overload.
      backoffs++;
      say(`  ${ctx.label}: saturated at the start rate (${reason}); retrying at a quarter of it`);
      await quiesce(ctx);
      rate = Math.max(1, Math.floor(rate / 4));
      continue;
    }
    if (reason) break;
    rate = Math.ceil(rate * opts.factor);
  }
  if (reason) say(`  ${ctx.label} saturated: ${reason}`);
  else reason = `not reached in ${opts.maxSteps} steps`;
  const best = steps.reduce((a, b) => (b.deliveries_per_s > a.deliveries_per_s ? b : a));
  await quiesce(ctx);
  const halfRate = Math.max(1, best.deliveries_per_s / 2 / ctx.fan);
  let half = await profiled(ctx.profilePids ?? [], `${ctx.label} half saturation`, () => runStep(ctx, halfRate, opts.stepMs * 2));
  say(`  ${ctx.label} half-saturation: ${describe(half)}`);
  // One short run is easily spoiled by another job on a shared machine: retry, keep the cleanest.
  for (let i = 0; i < 2 && half.other_cpu_pct >= 30; i++) {
    await waitQuiet(ctx.waitQuietS);
    const again = await runStep(ctx, halfRate, opts.stepMs * 2);
    say(`  ${ctx.label} half-saturation (retry, other jobs were busy): ${describe(again)}`);
    if (again.other_cpu_pct < half.other_cpu_pct) half = again;
  }
  return { steps, saturation: { deliveries_per_s: best.deliveries_per_s, rate: best.target_rate, step: best.step, reason }, half };
}
