// Preloaded into the Parley server by the harness when BENCH_PROFILE is set (see targets.ts):
// a CPU profile of one benchmark step only, not of the whole process (`--cpu-prof` covers start-up
// and connection setup too, which drown the steady state). JSC's sampling profiler starts at the
// first SIGUSR2 and is read at the second; the summary (self and total samples per function) goes
// to BENCH_PROFILE/<BENCH_PROFILE_LABEL>.md, which the ramp names after the step.
import * as jsc from 'bun:jsc';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Frame = { name: string; sourceURL?: string; line?: number; category?: string };
type Traces = { interval: number; traces: Array<{ frames: Frame[] }> };
// Present at run time, missing from bun-types: the samples taken since the previous call.
const { startSamplingProfiler } = jsc;
const samplingProfilerStackTraces = (jsc as unknown as { samplingProfilerStackTraces(): Traces }).samplingProfilerStackTraces;

const dir = process.env.BENCH_PROFILE;
let started = false;
let profiling = false;

const where = (f: Frame) =>
  f.sourceURL ? `${f.sourceURL.replace(`${process.cwd()}/`, '')}:${f.line ?? '?'}` : `[${f.category ?? 'native'}]`;

function summary(t: Traces, top = 40): string {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const { frames } of t.traces) {
    if (!frames.length) continue;
    const key = (f: Frame) => `\`${f.name || '(anonymous)'}\` ${where(f)}`;
    self.set(key(frames[0]!), (self.get(key(frames[0]!)) ?? 0) + 1);
    for (const k of new Set(frames.map(key))) total.set(k, (total.get(k) ?? 0) + 1);
  }
  const n = t.traces.length || 1;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `| ${((v / n) * 100).toFixed(1)}% | ${v} | ${k} |`);
  return [
    `# Steady-state CPU profile: ${process.env.BENCH_PROFILE_LABEL ?? 'step'}`,
    '',
    `${t.traces.length} samples at ${t.interval * 1000} ms (the busy share of the step: idle time takes no samples).`,
    '',
    '## Self',
    '| share | samples | function |',
    '| ---: | ---: | --- |',
    ...rows(self),
    '',
    '## Total (on the stack)',
    '| share | samples | function |',
    '| ---: | ---: | --- |',
    ...rows(total),
    '',
  ].join('\n');
}

if (dir) {
  process.on('SIGUSR2', () => {
    if (!profiling) {
      if (!started) startSamplingProfiler();
      else samplingProfilerStackTraces(); // drop what accumulated since the last read
      started = profiling = true;
      return;
    }
    profiling = false;
    mkdirSync(dir, { recursive: true });
    const label = process.env.BENCH_PROFILE_LABEL ?? `pid-${process.pid}`;
    writeFileSync(join(dir, `${label}-${Date.now()}.md`), summary(samplingProfilerStackTraces()));
  });
}
