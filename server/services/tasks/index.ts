import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { taskLists } from '../../db/schema/index.ts';
import type { TaskStreamEvent } from '../../../shared/tasks.ts';
import type { LiveSource } from '../../realtime/sink.ts';
import { taskListStream } from '../../realtime/streams.ts';
import { listFor, type TaskDeps } from './common.ts';
import { createTaskListOps } from './lists.ts';
import { createTaskOps } from './tasks.ts';

export type { TaskDeps } from './common.ts';

/** Task lists and tasks (CONTRACT.md "Tasks"), with the list's live stream. */
export function createTaskService(deps: TaskDeps) {
  const { database, hub } = deps;
  return {
    ...createTaskListOps(deps),
    ...createTaskOps(deps),

    /** Stream keys of a group's task lists (forgotten when the group is deleted). */
    async streamsOf(tx: Tx, groupId: string): Promise<string[]> {
      const rows = await tx.select({ id: taskLists.id }).from(taskLists).where(eq(taskLists.groupId, groupId));
      return rows.map((r) => taskListStream(r.id));
    },

    /** `realtime.tasks`: the list's durable stream, resumable; ends when the caller leaves the group or the list is deleted. */
    async stream(caller: { id: string }, listId: string, lastEventId: number | null): Promise<LiveSource<TaskStreamEvent, never>> {
      const { list } = await listFor(database.db, listId, caller.id);
      return {
        userId: caller.id,
        open: (sink) =>
          hub.attach(taskListStream(listId), sink, {
            lastEventId,
            groupId: list.groupId,
            // Re-checked after attaching: a removal or deletion in between is not missed.
            prelude: async () => (await listFor(database.db, listId, caller.id), []),
          }),
      };
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
