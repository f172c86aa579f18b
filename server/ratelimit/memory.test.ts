import { afterEach, describe, expect, test } from 'bun:test';
import type { RateLimiter } from './index.ts';
import { createMemoryRateLimiter } from './memory.ts';

/** A clock the test moves by hand. */
function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

let limiter: RateLimiter;
afterEach(() => limiter.close());

describe('createMemoryRateLimiter', () => {
  test('allows `limit` hits per window, then refuses with the seconds until the oldest hit expires', async () => {
    const clock = fakeClock();
    limiter = createMemoryRateLimiter(clock.now);
    expect(await limiter.hit('k', 2, 10)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    clock.advance(3000);
    expect(await limiter.hit('k', 2, 10)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    clock.advance(2000);
    expect(await limiter.hit('k', 2, 10)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    // A refused hit is not recorded.
    expect(await limiter.count('k', 10)).toBe(2);
  });

  test('the window slides: each hit expires on its own', async () => {
    const clock = fakeClock();
    limiter = createMemoryRateLimiter(clock.now);
    await limiter.hit('k', 2, 10);
    clock.advance(4000);
    await limiter.hit('k', 2, 10);
    clock.advance(5999);
    expect((await limiter.hit('k', 2, 10)).allowed).toBe(false);
    clock.advance(1);
    // The first hit (10 s ago) has left the window; the second has not.
    expect(await limiter.hit('k', 2, 10)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect((await limiter.hit('k', 2, 10)).allowed).toBe(false);
    expect(await limiter.count('k', 10)).toBe(2);
  });

  test('retryAfterSeconds is at least 1 and rounds up', async () => {
    const clock = fakeClock();
    limiter = createMemoryRateLimiter(clock.now);
    await limiter.hit('k', 1, 1);
    clock.advance(999);
    expect(await limiter.hit('k', 1, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    await limiter.hit('j', 1, 60);
    clock.advance(500);
    expect(await limiter.hit('j', 1, 60)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  test('count does not record; keys are independent; reset forgets a key', async () => {
    const clock = fakeClock();
    limiter = createMemoryRateLimiter(clock.now);
    expect(await limiter.count('a', 10)).toBe(0);
    for (let i = 0; i < 3; i++) await limiter.hit('a', 10, 10);
    await limiter.hit('b', 10, 10);
    expect(await limiter.count('a', 10)).toBe(3);
    expect(await limiter.count('a', 10)).toBe(3);
    expect(await limiter.count('b', 10)).toBe(1);
    await limiter.reset('a');
    expect(await limiter.count('a', 10)).toBe(0);
    expect(await limiter.count('b', 10)).toBe(1);
    await limiter.reset('never-seen');
  });

  test('count uses the window it is given', async () => {
    const clock = fakeClock();
    limiter = createMemoryRateLimiter(clock.now);
    await limiter.hit('k', 100, 900);
    clock.advance(20_000);
    await limiter.hit('k', 100, 900);
    expect(await limiter.count('k', 900)).toBe(2);
    expect(await limiter.count('k', 10)).toBe(1);
  });
});
