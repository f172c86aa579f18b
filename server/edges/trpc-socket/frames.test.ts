import { describe, expect, test } from 'bun:test';
import { createExpiryWheel } from '../expiry.ts';
import { createFrameCache, frameBuilder, shareKey } from './frames.ts';

describe('frame cache', () => {
  test('subscriptions with one id share a builder until the last one releases it', () => {
    const cache = createFrameCache();
    const key = shareKey('1', false);
    const a = cache.acquire(key, '1', false);
    const b = cache.acquire(key, '1', false);
    expect(b).toBe(a);
    expect(a(7, '{"x":1}', true)).toBe(frameBuilder('1', false)(7, '{"x":1}', true));
    cache.release(key, a);
    expect(cache.size()).toBe(1);
    cache.release(key, b);
    expect(cache.size()).toBe(0);
  });

  test('jsonrpc frames are keyed apart from plain ones', () => {
    const cache = createFrameCache();
    const plain = cache.acquire(shareKey('1', false), '1', false);
    const rpc = cache.acquire(shareKey('1', true), '1', true);
    expect(rpc).not.toBe(plain);
    expect(rpc(1, '{}', false)).toBe('{"id":1,"jsonrpc":"2.0","result":{"type":"data","id":"1","data":{}}}');
    expect(cache.size()).toBe(2);
  });

  test('past the cap a builder is not shared, and giving it back leaves the shared entries alone', () => {
    const cache = createFrameCache(1);
    const shared = cache.acquire('"a"', '"a"', false);
    const unsharedB = cache.acquire('"b"', '"b"', false);
    expect(cache.size()).toBe(1);
    cache.release('"b"', unsharedB);
    // An unshared builder for a key that is cached must not count against the cached entry.
    const unsharedA = frameBuilder('"a"', false);
    cache.release('"a"', unsharedA);
    expect(cache.size()).toBe(1);
    cache.release('"a"', shared);
    expect(cache.size()).toBe(0);
  });
});

describe('expiry wheel', () => {
  test('a removed item is not expired, an added one is', async () => {
    const expired: string[] = [];
    const wheel = createExpiryWheel();
    let keptExpired!: () => void;
    const sweptKept = new Promise<void>((resolve) => (keptExpired = resolve));
    const kept = { expire: () => (expired.push('kept'), keptExpired()) };
    const removed = { expire: () => void expired.push('removed') };
    // Both in one past second: one sweep expires its whole bucket before the awaited promise settles.
    const past = Date.now() / 1000 - 1;
    wheel.add(kept, past);
    wheel.add(removed, past);
    wheel.remove(removed, past);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the wheel never swept')), 5000)));
    await Promise.race([sweptKept, timeout]).finally(() => {
      clearTimeout(timer);
      wheel.dispose();
    });
    expect(expired).toEqual(['kept']);
  });
});
