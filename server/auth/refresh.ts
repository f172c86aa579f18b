import { and, eq, isNull } from 'drizzle-orm';
import { LIMITS } from '../../shared/limits.ts';
import type { Db, Tx } from '../db/client.ts';
import { refreshFamilies, refreshTokens } from '../db/schema/index.ts';
import { unauthorized } from '../errors.ts';

/**
 * Opaque refresh tokens in rotating families (OAuth 2.0 BCP "refresh token rotation"): each use
 * spends the token and issues its successor; presenting a spent token means it leaked, so the
 * whole family is revoked and every holder must log in again.
 */
export function createRefreshTokens(db: Db, now: () => number = Date.now) {
  const hash = (token: string) => new Bun.CryptoHasher('sha256').update(token).digest('hex');
  const fresh = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

  async function issue(tx: Tx, familyId: string): Promise<string> {
    const token = fresh();
    await tx.insert(refreshTokens).values({
      tokenHash: hash(token),
      familyId,
      expiresAt: new Date(now() + LIMITS.refreshTokenSeconds * 1000),
    });
    return token;
  }

  return {
    /** Starts a new family (a login) and returns its first token. */
    async start(userId: string): Promise<string> {
      return db.transaction(async (tx) => {
        const [family] = await tx.insert(refreshFamilies).values({ userId }).returning({ id: refreshFamilies.id });
        return issue(tx, family!.id);
      });
    },

    /** Spends `token` and returns its successor and owner, or throws UNAUTHORIZED (revoking on reuse). */
    async rotate(token: string): Promise<{ userId: string; token: string }> {
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx
          .select({
            familyId: refreshTokens.familyId,
            expiresAt: refreshTokens.expiresAt,
            userId: refreshFamilies.userId,
            revokedAt: refreshFamilies.revokedAt,
          })
          .from(refreshTokens)
          .innerJoin(refreshFamilies, eq(refreshFamilies.id, refreshTokens.familyId))
          .where(eq(refreshTokens.tokenHash, hash(token)));
        if (!row || row.revokedAt || row.expiresAt.getTime() <= now()) return { ok: false as const };
        const spent = await tx
          .update(refreshTokens)
          .set({ spentAt: new Date(now()) })
          .where(and(eq(refreshTokens.tokenHash, hash(token)), isNull(refreshTokens.spentAt)))
          .returning({ familyId: refreshTokens.familyId });
        if (!spent.length) {
          // Replay of a spent token: revoke the family (committed even though the call fails).
          await tx
            .update(refreshFamilies)
            .set({ revokedAt: new Date(now()) })
            .where(eq(refreshFamilies.id, row.familyId));
          return { ok: false as const };
        }
        return { ok: true as const, userId: row.userId, token: await issue(tx, row.familyId) };
      });
      if (!outcome.ok) throw unauthorized('Invalid refresh token');
      return { userId: outcome.userId, token: outcome.token };
    },

    /** Revokes the family `token` belongs to; unknown tokens are ignored (logout is idempotent). */
    async revoke(token: string): Promise<void> {
      const [row] = await db
        .select({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hash(token)));
      if (row)
        await db
          .update(refreshFamilies)
          .set({ revokedAt: new Date(now()) })
          .where(eq(refreshFamilies.id, row.familyId));
    },
  };
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>;
