import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { withFallback, type RateLimiter } from './ratelimit/index.ts';
import { createMemoryRateLimiter } from './ratelimit/memory.ts';
import { createMemoryBus, type Bus } from './realtime/bus.ts';
import { createMemoryPresence, type Presence } from './realtime/presence.ts';
import { createRedisBus } from './redis/bus.ts';
import { connectRedis } from './redis/connection.ts';
import { createRedisPresence } from './redis/presence.ts';
import { createRedisRateLimiter } from './redis/ratelimit.ts';

/** What instances share: the bus, presence and rate limits. In-process unless REDIS_URL is set. */
export interface ClusterAdapters {
  kind: 'memory' | 'redis';
  nodeId: string;
  bus: Bus;
  presence: Presence;
  limiter: RateLimiter;
  close(): Promise<void>;
}

export function createClusterAdapters(config: Config, log: Logger): ClusterAdapters {
  const nodeId = crypto.randomUUID().slice(0, 8);
  if (!config.redisUrl) {
    const bus = createMemoryBus();
    const presence = createMemoryPresence();
    const limiter = createMemoryRateLimiter();
    return {
      kind: 'memory',
      nodeId,
      bus,
      presence,
      limiter,
      close: async () => void (await Promise.all([bus.close(), presence.close(), limiter.close()])),
    };
  }
  const { redisUrl: url, redisPrefix: prefix } = config;
  const bus = createRedisBus({ url, prefix, nodeId, log });
  const state = connectRedis(url, log, `parley-state-${nodeId}`);
  const presence = createRedisPresence({ redis: state, prefix, nodeId, log });
  const limiter = withFallback(createRedisRateLimiter(state, prefix), createMemoryRateLimiter());
  return {
    kind: 'redis',
    nodeId,
    bus,
    presence,
    limiter,
    async close() {
      await presence.close();
      await Promise.all([bus.close(), limiter.close()]);
      await state.quit().catch(() => state.disconnect());
    },
  };
}
