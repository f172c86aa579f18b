import type { RateDecision, RateLimiter } from './index.ts';

/** In-process sliding-window log; the default when no Redis is configured. */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const hits = new Map<string, number[]>();
  const prune = (key: string, windowMs: number, t: number) => {
    const list = hits.get(key);
    if (!list) return [];
    while (list.length && list[0]! <= t - windowMs) list.shift();
    if (!list.length) hits.delete(key);
    return list;
  };
  // Sweep idle keys so the map cannot grow without bound.
  const sweeper = setInterval(() => {
    const t = now();
    for (const [key, list] of hits) if (!list.length || list[list.length - 1]! < t - 3_600_000) hits.delete(key);
  }, 60_000);
  sweeper.unref();

  return {
    async hit(key, limit, windowSeconds): Promise<RateDecision> {
      const t = now();
      const windowMs = windowSeconds * 1000;
      const list = prune(key, windowMs, t);
      if (list.length >= limit) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((list[0]! + windowMs - t) / 1000)) };
      }
      list.push(t);
      hits.set(key, list);
      return { allowed: true, retryAfterSeconds: 0 };
    },
    async count(key, windowSeconds) {
      return prune(key, windowSeconds * 1000, now()).length;
    },
    async reset(key) {
      hits.delete(key);
    },
    async close() {
      clearInterval(sweeper);
    },
  };
}
