// Shared plumbing: launch a target, attach a worker pool speaking its protocol, always clean up.
import type { Options } from '../lib/cli.ts';
import { Pool } from '../lib/pool.ts';
import { say } from '../lib/progress.ts';
import { waitQuiet } from '../lib/server-proc.ts';
import { launch, type Running, type TargetName } from '../lib/targets.ts';

export type TargetResult = Record<string, unknown>;

/** Starts `target`, runs `fn` with a connected-ready pool, then stops everything. */
export async function withTarget<T extends object>(
  target: TargetName,
  need: { rooms: number; users: number; label: string; postgres?: boolean; maxInflight?: number; instances?: number; redis?: boolean },
  opts: Options,
  fn: (run: Running, pool: Pool) => Promise<T>,
): Promise<T> {
  const label = `${need.label} ${target}`;
  // The load generator and server share the cores; anything else running skews every figure,
  // so wait (bounded) for other jobs to quiet down, and say so if they do not.
  const busy = await waitQuiet(opts.waitQuietS);
  if (busy > 20) say(`  ${label}: WARNING: other processes use ${busy}% of a core before start; figures will be low`);
  const run = await launch(target, { ...need, postgres: need.postgres ?? opts.parleyDb === 'postgres' }, (s) => say(`  ${label}: ${s}`));
  const pool = new Pool(opts.workers);
  try {
    await pool.init({
      protocol: run.protocol,
      host: '127.0.0.1',
      port: run.server.port,
      tokens: run.world.tokens,
      maxInflight: need.maxInflight ?? 1000,
    });
    return { ...(await fn(run, pool)), background_cpu_pct_before: busy };
  } finally {
    await pool.close();
    await run.dispose();
  }
}

/** Fails loudly (with the server's own words) when too few connections came up. */
export function requireConnected(label: string, c: { ok: number; failed: number; error: string }, want: number) {
  say(`  ${label}: ${c.ok}/${want} connections ready${c.failed ? ` (${c.failed} failed: ${c.error})` : ''}`);
  if (c.ok < want * 0.95) throw new Error(`${label}: only ${c.ok}/${want} connections came up: ${c.error}`);
}
