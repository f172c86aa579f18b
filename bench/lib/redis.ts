// The Redis a Parley cluster shares as its bus: whether it answers, a fresh key prefix per run
// (deleted afterwards), and the local redis-server process, so its CPU can be counted.
import { readdirSync, readFileSync } from 'node:fs';
import Redis from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** True if Redis at REDIS_URL answers PING. */
export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Environment for instances sharing Redis under a fresh prefix, and a disposer that deletes its keys. */
export function redisEnv(): { env: Record<string, string>; drop(): Promise<void> } {
  const prefix = `parley-bench:${Date.now().toString(36)}:`;
  return {
    env: { REDIS_URL, REDIS_PREFIX: prefix },
    async drop() {
      // Loaded here only: the cluster helper pulls in the whole server.
      const { deleteRedisPrefix } = await import('../../server/test/helpers/cluster.ts');
      await deleteRedisPrefix(REDIS_URL, prefix);
    },
  };
}

/** Pid of the local redis-server listening on REDIS_URL's port, or null (remote Redis, not found). */
export function redisPid(): number | null {
  const url = new URL(REDIS_URL);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) return null;
  const port = new RegExp(`:${url.port || 6379}(\\s|\\0|$)`);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(redis-server)')) continue;
      // redis-server sets its title to "redis-server 127.0.0.1:6379"
      if (port.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) return Number(pid);
    } catch {
      // process exited while we looked
    }
  }
  return null;
}
