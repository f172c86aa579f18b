import { describe, expect, test } from 'bun:test';
import { DomainError } from '../errors.ts';
import { createPasswordHasher } from './passwords.ts';

/** Cheap argon2 parameters: these tests check behaviour, not hardness. */
const cheap = { memoryCost: 1024, timeCost: 1 };

describe('createPasswordHasher', () => {
  test('hashes with argon2id and the given parameters, salted, and verifies', async () => {
    const hasher = createPasswordHasher({ concurrency: 2, maxQueue: 8, ...cheap });
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toStartWith('$argon2id$');
    expect(hash).toContain('m=1024,t=1');
    expect(hash).not.toContain('correct horse battery');
    expect(await hasher.hash('correct horse battery')).not.toBe(hash);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse batterY', hash)).toBe(false);
    expect(await hasher.verify('', hash)).toBe(false);
  });

  test('the default parameters follow OWASP argon2id guidance (19 MiB, 2 iterations)', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 1 });
    expect(await hasher.hash('x'.repeat(8))).toContain('m=19456,t=2');
  });

  test('burn resolves like a failed verify, for unknown usernames', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 4, ...cheap });
    expect(await hasher.burn('whatever')).toBeUndefined();
    expect(await hasher.burn('again')).toBeUndefined();
  });

  test('beyond concurrency + maxQueue, work is refused with TOO_MANY_REQUESTS; queued work still completes', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 2, ...cheap });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => hasher.hash(`password ${i}`)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect(r.reason).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 1 });
    }
    // The gate drains completely: a full batch fits again afterwards.
    const again = await Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.hash('c')]);
    expect(again).toHaveLength(3);
  });

  test('a failing hash releases its slot', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxQueue: 0, ...cheap });
    // A malformed hash makes verify throw; the gate must not leak the slot.
    await hasher.verify('x', 'not-a-hash').catch(() => false);
    expect(await hasher.hash('after a failure')).toStartWith('$argon2id$');
  });
});
