// Scenario: what the Redis bus costs. One channel, --cluster-subs subscribers spread evenly over
// three Parley instances (one PostgreSQL database, one Redis), one sender on instance 1; against
// one instance on the same database and Redis with the same subscribers, so only the number of
// instances differs. Same ramp as fanout: deliveries/s at saturation, p50/p99 at half of it.
import type { Options } from '../lib/cli.ts';
import { say } from '../lib/progress.ts';
import { REDIS_URL, redisAvailable } from '../lib/redis.ts';
import type { TargetName } from '../lib/targets.ts';
import { withTarget, type TargetResult } from './common.ts';
import { oneChannel } from './fanout.ts';

const INSTANCES = [1, 3];

export async function cluster(opts: Options, target: TargetName): Promise<TargetResult> {
  if (target !== 'parley') return { skipped: 'Parley only' };
  if (opts.parleyDb !== 'postgres') return { skipped: 'needs PostgreSQL' };
  if (!(await redisAvailable())) {
    say(`  Redis not reachable at ${REDIS_URL} (set REDIS_URL): the cluster scenario is skipped`);
    return { skipped: `Redis not reachable at ${REDIS_URL}` };
  }
  const subs = opts.clusterSubs;
  const users = Math.min(opts.users, subs);
  const variants: Record<string, unknown> = {};
  for (const instances of INSTANCES) {
    const label = `cluster-${instances}x${subs}`;
    variants[instances] = await withTarget(
      target,
      { rooms: 1, users, label, postgres: true, redis: true, instances },
      opts,
      async (run, pool) => ({
        instances,
        ...(await oneChannel(run, pool, subs, users, `${label} ${target}`, opts)),
      }),
    );
  }
  return { variants };
}
