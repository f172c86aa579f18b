import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { LIMITS } from '../../shared/limits.ts';
import { refreshFamilies, refreshTokens, users } from '../db/schema/index.ts';
import { DomainError } from '../errors.ts';
import { createTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createRefreshTokens } from './refresh.ts';

/** Refresh-token families over a real database (PGlite, or PostgreSQL when DATABASE_URL is set), with a fake clock. */
let tdb: TestDatabase;
let userId: string;
beforeAll(async () => {
  tdb = await createTestDatabase();
  const [row] = await tdb.database.db.insert(users).values({ username: 'refresh_unit', displayName: 'R', passwordHash: 'x' }).returning();
  userId = row!.id;
}, 60_000);
afterAll(() => tdb.dispose(), 30_000);

function fakeClock() {
  let t = Date.now();
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function unauthorized(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect(err).toMatchObject({ code: 'UNAUTHORIZED' });
}

describe('createRefreshTokens', () => {
  test('tokens are random, stored only as SHA-256 hashes, and rotate', async () => {
    const refresh = createRefreshTokens(tdb.database.db);
    const t0 = await refresh.start(userId);
    expect(t0).toMatch(/^[\w-]{43}$/);
    const hash = new Bun.CryptoHasher('sha256').update(t0).digest('hex');
    const [stored] = await tdb.database.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
    expect(stored).toMatchObject({ tokenHash: hash, spentAt: null });
    const next = await refresh.rotate(t0);
    expect(next.userId).toBe(userId);
    expect(next.token).not.toBe(t0);
    const [spent] = await tdb.database.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
    expect(spent!.spentAt).toBeInstanceOf(Date);
  });

  test('a token expires after 30 days', async () => {
    const clock = fakeClock();
    const refresh = createRefreshTokens(tdb.database.db, clock.now);
    const a = await refresh.start(userId);
    const b = await refresh.start(userId);
    clock.advance(LIMITS.refreshTokenSeconds * 1000 - 1000);
    expect((await refresh.rotate(a)).userId).toBe(userId);
    clock.advance(1000);
    await unauthorized(refresh.rotate(b));
  });

  test('reuse revokes the family, including tokens issued after the reused one', async () => {
    const refresh = createRefreshTokens(tdb.database.db);
    const t0 = await refresh.start(userId);
    const t1 = (await refresh.rotate(t0)).token;
    const t2 = (await refresh.rotate(t1)).token;
    await unauthorized(refresh.rotate(t1));
    await unauthorized(refresh.rotate(t2));
    const hash = new Bun.CryptoHasher('sha256').update(t2).digest('hex');
    const [row] = await tdb.database.db
      .select({ revokedAt: refreshFamilies.revokedAt })
      .from(refreshTokens)
      .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
      .where(eq(refreshTokens.tokenHash, hash));
    expect(row!.revokedAt).toBeInstanceOf(Date);
  });

  test('revoke ends a family; unknown tokens are ignored; other families are untouched', async () => {
    const refresh = createRefreshTokens(tdb.database.db);
    const mine = await refresh.start(userId);
    const other = await refresh.start(userId);
    await refresh.revoke(mine);
    await refresh.revoke('never-issued');
    await unauthorized(refresh.rotate(mine));
    expect((await refresh.rotate(other)).userId).toBe(userId);
  });

  test('unknown tokens are UNAUTHORIZED', async () => {
    await unauthorized(createRefreshTokens(tdb.database.db).rotate('never-issued'));
  });
});
