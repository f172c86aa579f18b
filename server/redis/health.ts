import type { Logger } from '../log.ts';

/**
 * One instance's view of Redis across its connections. An outage is reported once (one warning
 * naming REDIS_URL, however many connections fail and however often they retry) and its end once;
 * the adapters' own warnings in between are the outage's symptoms, counted rather than printed.
 */
export interface RedisHealth {
  failed(name: string, error: Error): void;
  ready(name: string): void;
  /** The log for Redis adapters: warnings are held back while Redis is down. */
  log: Logger;
}

/** `host:port` of a Redis URL, never its password. */
function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'an unparsable URL';
  }
}

export function createRedisHealth(log: Logger, url: string): RedisHealth {
  const down = new Set<string>();
  let suppressed = 0;
  return {
    failed(name, error) {
      if (down.size === 0) {
        log.warn(
          `redis unreachable at REDIS_URL (${describeRedisUrl(url)}): running degraded until it is back (no cross-instance delivery, local presence and rate limits)`,
          {
            error: error.message,
          },
        );
      }
      down.add(name);
    },
    ready(name) {
      if (!down.delete(name) || down.size > 0) return;
      log.info('redis reconnected', { suppressed_warnings: suppressed });
      suppressed = 0;
    },
    log: {
      ...log,
      warn(msg, fields) {
        if (down.size > 0) suppressed++;
        else log.warn(msg, fields);
      },
    },
  };
}
