// Scenario 5: history page and search latency at 1,000,000 stored messages (100,000 with --quick),
// Parley only, on a fresh PostgreSQL database: bench/history/seed.ts fills it the way sends would,
// bench/history/measure.ts times messages.list / messages.search / channels.list / groups.list
// through a real server with a stock tRPC HTTP client (details in bench/history/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from '../lib/cli.ts';
import { freshDatabase } from '../lib/postgres.ts';
import { say } from '../lib/progress.ts';
import { ROOT } from '../lib/server-proc.ts';
import type { TargetName } from '../lib/targets.ts';
import type { TargetResult } from './common.ts';

const DETAIL = 'bench/results/history-detail.json';

async function run(script: string, args: string[], env: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'inherit',
  });
  for await (const line of proc.stdout.pipeThrough(new TextDecoderStream())) for (const l of line.split('\n')) if (l.trim()) say(`  ${l}`);
  if ((await proc.exited) !== 0) throw new Error(`${script} failed`);
}

export async function history(opts: Options, target: TargetName): Promise<TargetResult> {
  if (target !== 'parley') return { skipped: 'Parley only' };
  if (opts.parleyDb !== 'postgres') return { skipped: 'needs PostgreSQL' };
  const messages = opts.quick ? 100_000 : 1_000_000;
  const db = await freshDatabase();
  try {
    await run('bench/history/seed.ts', ['--messages', String(messages)], { DATABASE_URL: db.url });
    await run('bench/history/measure.ts', ['--calls', opts.quick ? '50' : '200', '--min-calls', '50', '--out', DETAIL], {
      DATABASE_URL: db.url,
    });
    const detail = JSON.parse(readFileSync(join(ROOT, DETAIL), 'utf8')) as {
      results: Array<{ name: string; p50_ms: number; p95_ms: number; p99_ms: number }>;
    };
    return {
      messages,
      detail: DETAIL,
      figures: Object.fromEntries(detail.results.map((r) => [r.name, { p50_ms: r.p50_ms, p95_ms: r.p95_ms, p99_ms: r.p99_ms }])),
    };
  } finally {
    await db.drop();
  }
}
