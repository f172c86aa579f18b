import Redis from 'ioredis';
import type { Logger } from '../log.ts';
import type { RedisHealth } from './health.ts';

/** Longest pause between reconnect attempts. */
const MAX_BACKOFF_MS = 2000;

/**
 * An ioredis connection that reconnects forever with capped exponential backoff and fails
 * commands fast while disconnected (callers degrade instead of piling up a queue).
 * With `health`, outages are reported there (once per instance) instead of once per connection.
 */
export function connectRedis(url: string, log: Logger, name: string, health?: RedisHealth): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), MAX_BACKOFF_MS),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // The bus resubscribes its own topics on 'ready' (it knows which ones are still wanted).
    autoResubscribe: false,
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (error) => {
    if (health) return health.failed(name, error);
    if (!down) log.warn('redis connection error', { name, error: error.message });
    down = true;
  });
  redis.on('ready', () => {
    if (health) return health.ready(name);
    if (down) log.info('redis reconnected', { name });
    down = false;
  });
  return redis;
}
