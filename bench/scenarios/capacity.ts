// Scenario 4: N idle subscribed connections -> server RSS per connection and connect rate.
// N defaults to the fd hard limit minus headroom; the count actually reached is what is reported.
import type { Options } from '../lib/cli.ts';
import { fmt, say } from '../lib/progress.ts';
import { rssBytes } from '../lib/server-proc.ts';
import type { TargetName } from '../lib/targets.ts';
import type { ConnSpec } from '../lib/worker.ts';
import { withTarget, type TargetResult } from './common.ts';

const PER_ROOM = 200;

export async function capacity(opts: Options, target: TargetName): Promise<TargetResult> {
  const N = opts.capacity;
  const R = Math.max(1, Math.ceil(N / PER_ROOM));
  const label = `capacity-${N}`;
  const users = Math.min(opts.users, N);
  return withTarget(target, { rooms: R, users, label }, opts, async (run, pool) => {
    await Bun.sleep(1000); // let start-up allocations settle before the baseline
    const before = rssBytes(run.server.pid);
    const specs: ConnSpec[] = Array.from({ length: N }, (_, i) => ({ r: 'sub', room: run.world.rooms[i % R]!, u: i % users }));
    const ticker = setInterval(async () => {
      const s = await pool.stats(0);
      say(`  ${label} ${target}: ${fmt.n(s.open)} open, server rss ${(rssBytes(run.server.pid) / 2 ** 20).toFixed(0)} MB`);
    }, 5000);
    // per worker: 100 handshakes in flight keeps the listen backlog (somaxconn 4096) from overflowing
    const c = await pool.connect(specs, 100, 120000).finally(() => clearInterval(ticker));
    await Bun.sleep(3000); // idle: let buffers and GC settle
    const after = rssBytes(run.server.pid);
    const s = await pool.stats(0);
    const res = {
      requested: N,
      reached: c.ok,
      failed: c.failed,
      still_open_after_idle: s.open,
      first_error: c.error || undefined,
      connect_seconds: Math.round(c.ms) / 1000,
      connects_per_s: Math.round(c.ok / (c.ms / 1000)),
      rss_before_bytes: before,
      rss_after_bytes: after,
      rss_per_conn_bytes: c.ok ? Math.round((after - before) / c.ok) : null,
    };
    say(
      `  ${label} ${target}: ${fmt.n(c.ok)}/${fmt.n(N)} connected at ${fmt.n(res.connects_per_s)}/s, ` +
        `rss ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MB, ` +
        `${res.rss_per_conn_bytes === null ? '-' : (res.rss_per_conn_bytes / 1024).toFixed(2)} KB/conn` +
        (c.failed ? ` (${c.failed} failed: ${c.error})` : ''),
    );
    return res;
  });
}
