/** Sliding-window rate limits: at most `limit` hits per key in any `windowSeconds` window. */
export interface RateLimiter {
  /** Records a hit unless the key is over its limit; says whether it was allowed and when to retry. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  /** Hits recorded for the key in the current window (without recording one). */
  count(key: string, windowSeconds: number): Promise<number>;
  /** Forgets a key (e.g. failed logins after a successful one). */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Uses `primary` (Redis: one limit for the cluster) and falls back to `fallback` (this
 * instance's own count) while the primary is unreachable, so an outage degrades the limit's
 * scope instead of refusing every send.
 */
export function withFallback(primary: RateLimiter, fallback: RateLimiter): RateLimiter {
  const either =
    <A extends unknown[], R>(pick: (l: RateLimiter) => (...args: A) => Promise<R>) =>
    (...args: A) =>
      pick(primary)(...args).catch(() => pick(fallback)(...args));
  return {
    hit: either((l) => l.hit),
    count: either((l) => l.count),
    reset: either((l) => l.reset),
    async close() {
      await Promise.all([primary.close(), fallback.close()]);
    },
  };
}
