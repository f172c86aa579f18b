import { asc, eq } from 'drizzle-orm';
import type * as wire from '../../../shared/tasks.ts';
import { taskLists } from '../../db/schema/index.ts';
import { taskListStream, userStream } from '../../realtime/streams.ts';
import { requireDeleter } from '../collab.ts';
import { memberIds } from '../groups/groups.ts';
import { listFor, presentList, type TaskDeps } from './common.ts';

/** Task lists of a group: create, list, rename, delete. Creation and deletion reach every member's own stream. */
export function createTaskListOps({ database, access, eventLog, notifier }: TaskDeps) {
  const { db } = database;
  return {
    async createList(userId: string, input: { groupId: string; name: string }): Promise<wire.TaskList> {
      const { list, events } = await db.transaction(async (tx) => {
        await access.requireMember(input.groupId, userId, tx);
        const [row] = await tx.insert(taskLists).values({ groupId: input.groupId, name: input.name, createdBy: userId }).returning();
        const list = presentList(row!);
        const streams = (await memberIds(tx, input.groupId)).map(userStream);
        const events = await eventLog.appendToAll(tx, streams, { type: 'task_list_created', list, group_id: input.groupId });
        return { list, events };
      });
      notifier.durable(events);
      return list;
    },

    async lists(userId: string, groupId: string): Promise<wire.TaskList[]> {
      await access.requireMember(groupId, userId);
      const rows = await db
        .select()
        .from(taskLists)
        .where(eq(taskLists.groupId, groupId))
        .orderBy(asc(taskLists.createdAt), asc(taskLists.id));
      return rows.map(presentList);
    },

    async renameList(userId: string, input: { listId: string; name: string }): Promise<wire.TaskList> {
      const { list, event } = await db.transaction(async (tx) => {
        await listFor(tx, input.listId, userId, true);
        const [row] = await tx.update(taskLists).set({ name: input.name }).where(eq(taskLists.id, input.listId)).returning();
        const list = presentList(row!);
        return { list, event: await eventLog.append(tx, taskListStream(list.id), () => ({ type: 'list_updated', list })) };
      });
      notifier.durable([event]);
      return list;
    },

    /** Deletes the list and its tasks; its stream is forgotten and its subscribers are ended. */
    async deleteList(userId: string, listId: string): Promise<void> {
      const stream = taskListStream(listId);
      const events = await db.transaction(async (tx) => {
        const { list, role } = await listFor(tx, listId, userId, true);
        requireDeleter(list.createdBy, userId, role, 'task list');
        await tx.delete(taskLists).where(eq(taskLists.id, listId));
        // Live subscribers still get the tombstone; the log itself must not outlive the list.
        const gone = await eventLog.append(tx, stream, () => ({ type: 'list_deleted', id: listId }));
        await eventLog.purge(tx, [stream]);
        const streams = (await memberIds(tx, list.groupId)).map(userStream);
        return [gone, ...(await eventLog.appendToAll(tx, streams, { type: 'task_list_deleted', list_id: listId, group_id: list.groupId }))];
      });
      notifier.durable(events);
      notifier.control({ kind: 'stream_deleted', stream, what: 'Task list' });
    },
  };
}
