import { asc, eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { channels, groups, memberships } from '../../db/schema/index.ts';
import { notFound } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { channelStream, userStream } from '../../realtime/streams.ts';
import { MANAGERS, OWNER, type Access } from './access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { presentGroup } from '../present.ts';
import type { ReadService } from '../messaging/reads.ts';

export interface GroupDeps {
  db: Db;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  reads: ReadService;
}

/** Ids of a group's members, for fanning an event out to their own streams. */
export async function memberIds(tx: Tx, groupId: string): Promise<string[]> {
  const rows = await tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.groupId, groupId));
  return rows.map((r) => r.userId);
}

/** Groups: create, read, rename, delete. Membership lives in members.ts. */
export function createGroupService({ db, access, eventLog, notifier, reads }: GroupDeps) {
  async function load(groupId: string, tx: Tx = db) {
    const [row] = await tx.select().from(groups).where(eq(groups.id, groupId));
    if (!row) throw notFound('Group');
    return row;
  }

  return {
    async create(userId: string, input: { name: string; description?: string }): Promise<wire.Group> {
      const { group, events } = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(groups)
          .values({ name: input.name, description: input.description ?? '', ownerId: userId })
          .returning();
        await tx.insert(memberships).values({ groupId: row!.id, userId, role: 'owner' });
        const group = presentGroup(row!, 'owner');
        const events = [await eventLog.append(tx, userStream(userId), () => ({ type: 'group_joined', group }))];
        return { group, events };
      });
      notifier.durable(events);
      return group;
    },

    /** The caller's groups, each with unread and mention counts summed over its channels. */
    async list(userId: string): Promise<wire.Group[]> {
      const [rows, sums] = await Promise.all([
        db
          .select({ group: groups, role: memberships.role })
          .from(memberships)
          .innerJoin(groups, eq(groups.id, memberships.groupId))
          .where(eq(memberships.userId, userId))
          .orderBy(asc(groups.createdAt), asc(groups.id)),
        reads.groupCounts(userId),
      ]);
      return rows.map((r) => {
        const c = sums.get(r.group.id);
        return { ...presentGroup(r.group, r.role), unread_count: c?.unread ?? 0, mention_count: c?.mentions ?? 0 };
      });
    },

    async get(userId: string, groupId: string): Promise<wire.Group> {
      const role = await access.requireMember(groupId, userId);
      return presentGroup(await load(groupId), role);
    },

    async update(userId: string, input: { groupId: string; name?: string; description?: string }): Promise<wire.Group> {
      const { group, events } = await db.transaction(async (tx) => {
        const role = await access.requireRole(input.groupId, userId, MANAGERS, 'change the group', tx);
        const patch = {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.description !== undefined && { description: input.description }),
        };
        const [row] = Object.keys(patch).length
          ? await tx.update(groups).set(patch).where(eq(groups.id, input.groupId)).returning()
          : [await load(input.groupId, tx)];
        const event = { type: 'group_updated', group_id: row!.id, name: row!.name, description: row!.description };
        const events = await eventLog.appendToAll(tx, (await memberIds(tx, input.groupId)).map(userStream), event);
        return { group: presentGroup(row!, role), events };
      });
      notifier.durable(events);
      return group;
    },

    async delete(userId: string, groupId: string): Promise<void> {
      const events = await db.transaction(async (tx) => {
        await access.requireRole(groupId, userId, OWNER, 'delete the group', tx);
        const members = await memberIds(tx, groupId);
        const channelIds = await tx.select({ id: channels.id }).from(channels).where(eq(channels.groupId, groupId));
        await tx.delete(groups).where(eq(groups.id, groupId));
        await eventLog.purge(
          tx,
          channelIds.map((c) => channelStream(c.id)),
        );
        return eventLog.appendToAll(tx, members.map(userStream), { type: 'group_deleted', group_id: groupId });
      });
      notifier.control({ kind: 'group_deleted', groupId });
      notifier.durable(events);
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
