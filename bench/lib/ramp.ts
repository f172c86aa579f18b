// Open-loop rising-rate measurement shared by the fan-out and many-rooms scenarios.
// Each step sends at a fixed rate for a few seconds, then waits for deliveries to drain.
// Saturation is the first step where deliveries stop keeping up (< 95% delivered, p99 > 500 ms,
// or the server stops accepting sends); the peak deliveries/s seen is the throughput figure,
// and a final run at half of it gives the latency figures.
import { percentile } from "./histogram.ts";
import { nowMs } from "./payload.ts";
import type { Pool } from "./pool.ts";
import { fmt, say, status } from "./progress.ts";
import { cpuMs } from "./server-proc.ts";

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
  server_cpu_pct: number;
  loadgen_cpu_pct: number;
  conns_closed: number;
  errors: number;
};

export type RampResult = {
  steps: StepResult[];
  saturation: { deliveries_per_s: number; rate: number; step: number };
  half: StepResult;
};

export type RampCtx = { pool: Pool; pid: number; fan: number; label: string };

let stepSeq = 0;
/** A fresh step id; ids are unique per run so a late delivery never lands in the wrong step. */
export function nextStep(): number {
  return ++stepSeq;
}

/** Sends at `rate` msg/s for `ms`, drains, and summarises. */
export async function runStep(ctx: RampCtx, rate: number, ms: number): Promise<StepResult> {
  const step = nextStep();
  const before = await ctx.pool.stats(step);
  const srv0 = cpuMs(ctx.pid);
  const t0 = nowMs();
  await ctx.pool.setRate(step, rate);
  const line = (s: Awaited<ReturnType<Pool["stats"]>>, phase: string) =>
    `${ctx.label} ${phase} ${fmt.n(rate)}/s: sent ${fmt.n(s.sent)} delivered ${fmt.n(s.recv)}` +
    ` (${fmt.pct(s.recv / Math.max(1, s.sent * ctx.fan))}) p99 ${fmt.ms(percentile(s.hist, 99))} ms`;
  while (nowMs() - t0 < ms) {
    await Bun.sleep(Math.min(500, Math.max(1, ms - (nowMs() - t0))));
    status(line(await ctx.pool.stats(step), "sending"));
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
    status(line(s, "draining"));
  }
  const wall = nowMs() - t0;
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
    server_cpu_pct: ((cpuMs(ctx.pid) - srv0) / wall) * 100,
    loadgen_cpu_pct: ((s.cpuMs - before.cpuMs) / wall) * 100,
    conns_closed: s.closed - before.closed,
    errors: s.errors,
  };
}

export function describe(r: StepResult): string {
  return (
    `rate ${fmt.n(r.target_rate)}/s (sent ${fmt.n(r.sent_rate)}/s): ${fmt.n(r.deliveries_per_s)} deliveries/s, ` +
    `${fmt.pct(r.ratio)} delivered, p50 ${fmt.ms(r.p50_ms)} ms, p99 ${fmt.ms(r.p99_ms)} ms, ` +
    `server cpu ${r.server_cpu_pct.toFixed(0)}%, loadgen cpu ${r.loadgen_cpu_pct.toFixed(0)}%` +
    (r.conns_closed ? `, ${r.conns_closed} conns closed` : "") +
    (r.errors ? `, ${r.errors} errors` : "")
  );
}

export function saturated(r: StepResult): boolean {
  // the sender fell behind the clock (server not reading or not acking); one message of slack
  // keeps very low rates (a few per step) from tripping it on rounding
  const behind = r.sent_rate * r.seconds < 0.9 * r.target_rate * r.seconds - 1;
  return r.ratio < 0.95 || (r.p99_ms ?? 0) > 500 || behind || r.conns_closed > 0;
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

/** Rising-rate search for saturation, then a latency run at half the saturated delivery rate. */
export async function ramp(
  ctx: RampCtx,
  opts: { startRate: number; factor: number; stepMs: number; maxSteps: number },
): Promise<RampResult> {
  const steps: StepResult[] = [];
  let rate = opts.startRate;
  for (let i = 0; i < opts.maxSteps; i++) {
    const r = await runStep(ctx, rate, opts.stepMs);
    steps.push(r);
    say(`  ${ctx.label} step ${i + 1}: ${describe(r)}`);
    if (saturated(r)) break;
    rate = Math.ceil(rate * opts.factor);
  }
  const best = steps.reduce((a, b) => (b.deliveries_per_s > a.deliveries_per_s ? b : a));
  await quiesce(ctx);
  const halfRate = Math.max(1, best.deliveries_per_s / 2 / ctx.fan);
  const half = await runStep(ctx, halfRate, opts.stepMs * 2);
  say(`  ${ctx.label} half-saturation: ${describe(half)}`);
  return { steps, saturation: { deliveries_per_s: best.deliveries_per_s, rate: best.target_rate, step: best.step }, half };
}
