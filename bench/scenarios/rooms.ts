// Scenario 2: many small rooms. R rooms x S subscribers each, plus one sender per room; the
// total send rate is spread round-robin over all senders and rises in steps.
import type { Options } from '../lib/cli.ts';
import { ramp } from '../lib/ramp.ts';
import type { TargetName } from '../lib/targets.ts';
import type { ConnSpec } from '../lib/worker.ts';
import { requireConnected, withTarget, type TargetResult } from './common.ts';

export async function rooms(opts: Options, target: TargetName): Promise<TargetResult> {
  const R = opts.rooms;
  const S = opts.roomSize;
  const label = `rooms-${R}x${S}`;
  const users = Math.min(opts.users, R * S);
  return withTarget(target, { rooms: R, users, label }, opts, async (run, pool) => {
    const specs: ConnSpec[] = [];
    run.world.rooms.forEach((room, c) => {
      for (let k = 0; k < S; k++) specs.push({ r: 'sub', room, u: (c * S + k) % users });
      specs.push({ r: 'send', room, u: c % users });
    });
    const c = await pool.connect(specs);
    requireConnected(`${label} ${target}`, c, specs.length);
    await Bun.sleep(1000);
    const fan = (c.ok - R) / R; // average subscribers per room actually connected
    const r = await ramp(
      {
        pool,
        pids: [run.server.pid],
        fan,
        label: `${label} ${target}`,
        waitQuietS: opts.waitQuietS,
        metricsPort: run.server.port,
        ...(run.name === 'parley' && { profilePids: [run.server.pid] }),
      },
      { startRate: Math.max(1, Math.round(10000 / fan)), factor: opts.factor, stepMs: opts.stepMs, maxSteps: 25 },
    );
    return {
      rooms: R,
      room_size: S,
      connections: c.ok,
      connect_ms: Math.round(c.ms),
      saturation_deliveries_per_s: Math.round(r.saturation.deliveries_per_s),
      saturation_send_rate: r.saturation.rate,
      saturation_reason: r.saturation.reason,
      half: r.half,
      steps: r.steps,
    };
  });
}
