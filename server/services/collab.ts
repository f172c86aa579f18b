import { and, eq } from 'drizzle-orm';
import type { Role } from '../../shared/entities.ts';
import type { Database, Tx } from '../db/client.ts';
import type { EventLog } from '../realtime/eventlog.ts';
import type { Hub } from '../realtime/hub.ts';
import type { Notifier } from '../realtime/notifier.ts';
import type { Access } from './groups/access.ts';
import type { Ordering } from './ordering.ts';
import { memberships } from '../db/schema/index.ts';
import { badRequest, forbidden } from '../errors.ts';
import { MANAGERS } from './groups/access.ts';

/**
 * Rules shared by tasks and boards (CONTRACT.md v2): members read and write, deleting what
 * someone else created needs owner/admin, and an assignee must belong to the group.
 */

/** What the task and board services are built from. */
export interface CollabDeps {
  database: Database;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  hub: Hub;
  ordering: Ordering;
}

/** A group-owned container (a task list or a board) as the wire shows it. */
export const presentGroupItem = (r: { id: string; groupId: string; name: string; createdBy: string; createdAt: Date }) => ({
  id: r.id,
  group_id: r.groupId,
  name: r.name,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
});

/** Refuses a delete of someone else's item unless the caller manages the group. */
export function requireDeleter(createdBy: string, callerId: string, role: Role, what: string) {
  if (createdBy !== callerId && !MANAGERS.includes(role))
    throw forbidden(`Only its creator or the group's owner or admin may delete this ${what}`);
}

/**
 * Refuses an assignee outside the group. The membership row is share-locked until commit, so a
 * concurrent removal of that member waits for this write and then unassigns what it assigned.
 */
export async function requireAssignee(tx: Tx, groupId: string, assigneeId: string) {
  const [row] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.groupId, groupId), eq(memberships.userId, assigneeId)))
    .for('share');
  if (!row) throw badRequest('The assignee must be a member of the group');
}

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
/** A wire due date (ISO-8601, any offset) as a Date; undefined stays "not given", null clears. */
export const dateOf = (v: string | null | undefined): Date | null | undefined =>
  v === undefined ? undefined : v === null ? null : new Date(v);
