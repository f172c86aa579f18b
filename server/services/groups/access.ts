import { and, eq, exists, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Role } from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { channels, memberships } from '../../db/schema/index.ts';
import { forbidden, notFound } from '../../errors.ts';

export type ChannelRow = typeof channels.$inferSelect;

/**
 * Authorization: who may see and change what. A non-member learns nothing (NOT_FOUND, as if the
 * group did not exist); a member without the needed role gets FORBIDDEN.
 */
export function createAccess(db: Db) {
  const roleQuery = (q: Tx) =>
    q
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.groupId, sql.placeholder('groupId')), eq(memberships.userId, sql.placeholder('userId'))));
  const channelQuery = (q: Tx) =>
    q
      .select({ channel: channels, role: memberships.role })
      .from(channels)
      .innerJoin(memberships, and(eq(memberships.groupId, channels.groupId), eq(memberships.userId, sql.placeholder('userId'))))
      .where(eq(channels.id, sql.placeholder('channelId')));
  // Every request checks these, so outside transactions they run as prepared statements: built
  // once instead of per call (query building is most of the garbage a subscribe leaves).
  const prepared = { role: roleQuery(db).prepare('access_role'), channel: channelQuery(db).prepare('access_channel') };

  async function roleIn(groupId: string, userId: string, tx: Tx = db): Promise<Role | null> {
    const [row] = await (tx === db ? prepared.role : roleQuery(tx)).execute({ groupId, userId });
    return row?.role ?? null;
  }

  async function requireMember(groupId: string, userId: string, tx: Tx = db): Promise<Role> {
    const role = await roleIn(groupId, userId, tx);
    if (!role) throw notFound('Group');
    return role;
  }

  /** Requires one of `roles`; `action` names what was refused in the FORBIDDEN message. */
  async function requireRole(groupId: string, userId: string, roles: readonly Role[], action: string, tx: Tx = db): Promise<Role> {
    const role = await requireMember(groupId, userId, tx);
    if (!roles.includes(role)) throw forbidden(`Only ${roles.join(' or ')} may ${action}`);
    return role;
  }

  /** The channel and the caller's role in its group; NOT_FOUND when either is absent or invisible. */
  async function channelFor(channelId: string, userId: string, tx: Tx = db): Promise<{ channel: ChannelRow; role: Role }> {
    const [row] = await (tx === db ? prepared.channel : channelQuery(tx)).execute({ channelId, userId });
    if (!row) throw notFound('Channel');
    return row;
  }

  /**
   * What `channelFor` checks, as a condition of a query that reads the channel's content, so a read
   * and its check take one round trip. Rows come back only if the check passes; no rows means
   * either nothing to read or no access: ask `channelFor` which.
   */
  function canReadChannel(channelId: string | Placeholder, userId: string | Placeholder): SQL {
    return exists(
      db
        .select({ one: sql`1` })
        .from(channels)
        .innerJoin(memberships, and(eq(memberships.groupId, channels.groupId), eq(memberships.userId, userId)))
        .where(eq(channels.id, channelId)),
    );
  }

  return { roleIn, requireMember, requireRole, channelFor, canReadChannel };
}

export type Access = ReturnType<typeof createAccess>;
export const MANAGERS: readonly Role[] = ['owner', 'admin'];
export const OWNER: readonly Role[] = ['owner'];
