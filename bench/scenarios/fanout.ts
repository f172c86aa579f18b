// Scenario 1: one channel, N subscribers, one sender at rising rates.
import type { Options } from '../lib/cli.ts';
import type { Pool } from '../lib/pool.ts';
import { ramp } from '../lib/ramp.ts';
import type { Running, TargetName } from '../lib/targets.ts';
import type { ConnSpec } from '../lib/worker.ts';
import { requireConnected, withTarget, type TargetResult } from './common.ts';

/**
 * One channel of `subs` subscribers spread round-robin over the target's instances (a cluster has
 * several), one sender on the first: ramp to saturation, then a run at half of it.
 */
export async function oneChannel(run: Running, pool: Pool, subs: number, users: number, label: string, opts: Options) {
  const room = run.world.rooms[0]!;
  const ports = run.servers.map((s) => s.port);
  // Several connections per user, as the contract allows many devices per user.
  const specs: ConnSpec[] = Array.from({ length: subs }, (_, i) => ({ r: 'sub', room, u: i % users, port: ports[i % ports.length] }));
  specs.push({ r: 'send', room, u: 0, port: ports[0] });
  const c = await pool.connect(specs);
  requireConnected(label, c, subs + 1);
  await Bun.sleep(500); // let subscription setup (presence events etc.) settle
  const fan = c.ok - 1;
  const r = await ramp(
    {
      pool,
      pids: run.servers.map((s) => s.pid),
      redisPid: run.redisPid,
      fan,
      label,
      waitQuietS: opts.waitQuietS,
      metricsPort: ports[0],
      ...(run.name === 'parley' && { profilePids: run.servers.map((s) => s.pid) }),
    },
    // start at ~10k deliveries/s: low enough for every target, few steps to saturation
    { startRate: Math.max(1, Math.round(10000 / fan)), factor: opts.factor, stepMs: opts.stepMs, maxSteps: 25 },
  );
  return {
    subscribers: fan,
    connect_ms: Math.round(c.ms),
    saturation_deliveries_per_s: Math.round(r.saturation.deliveries_per_s),
    saturation_send_rate: r.saturation.rate,
    saturation_reason: r.saturation.reason,
    saturation_step: r.saturation.step,
    half: r.half,
    steps: r.steps,
  };
}

export async function fanout(opts: Options, target: TargetName): Promise<TargetResult> {
  const bySubs: Record<string, unknown> = {};
  for (const subs of opts.subs) {
    const label = `fanout-${subs}`;
    const users = Math.min(opts.users, subs);
    bySubs[subs] = await withTarget(target, { rooms: 1, users, label }, opts, (run, pool) =>
      oneChannel(run, pool, subs, users, `${label} ${target}`, opts),
    );
  }
  return { subscribers: bySubs };
}
