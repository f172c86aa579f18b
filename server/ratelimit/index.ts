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

export { createMemoryRateLimiter } from './memory.ts';
