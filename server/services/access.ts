import { and, eq } from 'drizzle-orm';
import type { Role } from '../../shared/entities.ts';
import type { Db, Tx } from '../db/client.ts';
import { channels, memberships } from '../db/schema/index.ts';
import { forbidden, notFound } from '../errors.ts';

export type ChannelRow = typeof channels.$inferSelect;

/**
 * Authorization: who may see and change what. A non-member learns nothing (NOT_FOUND, as if the
 * group did not exist); a member without the needed role gets FORBIDDEN.
 */
export function createAccess(db: Db) {
  async function roleIn(groupId: string, userId: string, tx: Tx = db): Promise<Role | null> {
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.groupId, groupId), eq(memberships.userId, userId)));
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
    const [row] = await tx
      .select({ channel: channels, role: memberships.role })
      .from(channels)
      .innerJoin(memberships, and(eq(memberships.groupId, channels.groupId), eq(memberships.userId, userId)))
      .where(eq(channels.id, channelId));
    if (!row) throw notFound('Channel');
    return row;
  }

  return { roleIn, requireMember, requireRole, channelFor };
}

export type Access = ReturnType<typeof createAccess>;
export const MANAGERS: readonly Role[] = ['owner', 'admin'];
export const OWNER: readonly Role[] = ['owner'];
