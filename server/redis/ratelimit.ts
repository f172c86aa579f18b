import type Redis from 'ioredis';
import type { RateDecision, RateLimiter } from '../ratelimit/index.ts';

/**
 * Sliding-window log in a sorted set, updated atomically by a script that reads Redis's own
 * clock, so every instance shares one limit and one notion of now.
 */
const HIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}`;

const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
return redis.call('ZCARD', KEYS[1])`;

export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const key = (k: string) => `${prefix}rate:${k}`;
  return {
    async hit(k, limit, windowSeconds): Promise<RateDecision> {
      const [allowed, retryMs] = (await redis.eval(HIT, 1, key(k), windowSeconds * 1000, limit, crypto.randomUUID())) as [number, number];
      return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)) };
    },
    async count(k, windowSeconds) {
      return Number(await redis.eval(COUNT, 1, key(k), windowSeconds * 1000));
    },
    async reset(k) {
      await redis.del(key(k));
    },
    async close() {},
  };
}
