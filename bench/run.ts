// Benchmark entry point: `bun bench/run.ts [--quick] [--scenario ...] [--target ...]` (see --help).
// For each scenario and target: start the server as a child process on a free port, drive it from
// worker processes, stop it; then write bench/results/<scenario>.json, RESULTS.md and fanout.svg.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type Options, type ScenarioName } from './lib/cli.ts';
import { postgresAvailable } from './lib/postgres.ts';
import { say } from './lib/progress.ts';
import { ROOT } from './lib/server-proc.ts';
import { parleyPresent, type TargetName } from './lib/targets.ts';
import { writeReport } from './report/markdown.ts';
import { burst } from './scenarios/burst.ts';
import { capacity } from './scenarios/capacity.ts';
import { cluster } from './scenarios/cluster.ts';
import type { TargetResult } from './scenarios/common.ts';
import { fanout } from './scenarios/fanout.ts';
import { history } from './scenarios/history.ts';
import { persisted } from './scenarios/persisted.ts';
import { rooms } from './scenarios/rooms.ts';

const RESULTS = join(ROOT, 'bench/results');
const RUNNERS: Record<ScenarioName, (o: Options, t: TargetName) => Promise<TargetResult>> = {
  fanout,
  burst,
  rooms,
  persisted,
  cluster,
  capacity,
  history,
};
// Scenarios that only make sense for Parley (no peer equivalent).
const PARLEY_ONLY = new Set<ScenarioName>(['persisted', 'cluster', 'history']);

async function machine() {
  const node = Bun.spawnSync(['node', '--version']).stdout.toString().trim();
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    mem_gb: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    node,
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.parleyDb === 'postgres' && !(await postgresAvailable())) {
    say(
      'PostgreSQL not reachable: Parley runs on embedded PGlite; persisted sends are measured on PGlite only, the cluster and history scenarios are skipped',
    );
    opts.parleyDb = 'pglite';
  }
  mkdirSync(RESULTS, { recursive: true });
  const info = await machine();
  const t0 = performance.now();
  say(`Parley bench (${opts.quick ? 'quick' : 'full'}): scenarios ${opts.scenarios.join(', ')}; targets ${opts.targets.join(', ')}`);
  for (const scenario of opts.scenarios) {
    const file = join(RESULTS, `${scenario}.json`);
    // Keep results of targets not run this time, so `--target parley` refreshes only Parley's row.
    const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    const results: Record<string, unknown> = { ...(prev?.results ?? {}) };
    for (const target of opts.targets) {
      if (PARLEY_ONLY.has(scenario) && target !== 'parley') continue;
      if (target === 'parley' && !parleyPresent()) {
        results[target] = { skipped: 'server/index.ts not present' };
        continue;
      }
      say(`\n== ${scenario} / ${target}`);
      const ts = performance.now();
      try {
        results[target] = { ...(await RUNNERS[scenario](opts, target)), measured_at: new Date().toISOString() };
      } catch (e) {
        const msg = (e as Error)?.message ?? String(e);
        say(`  ${scenario} ${target} failed: ${msg}`);
        results[target] = { error: msg, measured_at: new Date().toISOString() };
      }
      say(`  (${((performance.now() - ts) / 1000).toFixed(0)} s)`);
    }
    const doc = {
      scenario,
      mode: opts.quick ? 'quick' : 'full',
      generated_at: new Date().toISOString(),
      machine: info,
      params: opts,
      results,
    };
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    writeReport(RESULTS);
  }
  say(`\ndone in ${((performance.now() - t0) / 60000).toFixed(1)} min; see bench/results/RESULTS.md`);
}

await main();
process.exit(0);
