import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type * as wire from '../../../shared/tasks.ts';
import type { Tx } from '../../db/client.ts';
import { memberships, taskLists, tasks } from '../../db/schema/index.ts';
import { badRequest, conflict } from '../../errors.ts';
import type { StreamEvent } from '../../realtime/streams.ts';
import { taskListStream, userStream } from '../../realtime/streams.ts';
import { dateOf, requireAssignee, requireDeleter } from '../collab.ts';
import { TASK_ORDER } from '../ordering.ts';
import { listFor, presentTask, taskFor, type TaskDeps, type TaskRow } from './common.ts';

export interface TaskPatch {
  taskId: string;
  title?: string;
  notes?: string;
  done?: boolean;
  assigneeId?: string | null;
  dueAt?: string | null;
  expectedVersion?: number;
}

/** Refuses a write based on a version the task no longer has. */
function checkVersion(task: { version: number }, expected: number | undefined) {
  if (expected !== undefined && expected !== task.version)
    throw conflict(`The task changed (version ${task.version}, expected ${expected}); reload and retry`);
}

/** Tasks: create, list, update, move, delete, mine; every change is an event on its list's stream. */
export function createTaskOps({ database, eventLog, notifier, ordering }: TaskDeps) {
  const { db } = database;

  /**
   * After a write that put `key` on `row`: rebalances the list when the key grew long and
   * returns the row as it now stands plus `task_moved` events for every sibling that moved.
   */
  async function settle(tx: Tx, row: TaskRow, key: string): Promise<{ row: TaskRow; moved: StreamEvent[] }> {
    const changed = await ordering.rebalanceIfLong(tx, TASK_ORDER, row.listId, key);
    if (!changed.length) return { row, moved: [] };
    const rows = await tx.select().from(tasks).where(inArray(tasks.id, changed)).orderBy(asc(tasks.position));
    const moved: StreamEvent[] = [];
    for (const r of rows) {
      if (r.id === row.id) continue;
      moved.push(await eventLog.append(tx, taskListStream(r.listId), () => ({ type: 'task_moved', task: presentTask(r) })));
    }
    return { row: rows.find((r) => r.id === row.id) ?? row, moved };
  }

  const assigned = (tx: Tx, task: wire.Task, groupId: string) =>
    eventLog.append(tx, userStream(task.assignee_id!), () => ({ type: 'task_assigned', task, group_id: groupId }));

  return {
    /** Appends a task at the end of its list. */
    async create(
      userId: string,
      input: { listId: string; title: string; notes?: string; assigneeId?: string; dueAt?: string },
    ): Promise<wire.Task> {
      const { task, events } = await db.transaction(async (tx) => {
        const { list } = await listFor(tx, input.listId, userId, true);
        if (input.assigneeId) await requireAssignee(tx, list.groupId, input.assigneeId);
        const key = await ordering.end(tx, TASK_ORDER, list.id);
        const [inserted] = await tx
          .insert(tasks)
          .values({
            listId: list.id,
            title: input.title,
            notes: input.notes ?? '',
            assigneeId: input.assigneeId ?? null,
            dueAt: dateOf(input.dueAt) ?? null,
            position: key,
            createdBy: userId,
          })
          .returning();
        const { row, moved } = await settle(tx, inserted!, key);
        const task = presentTask(row);
        const events = [...moved, await eventLog.append(tx, taskListStream(list.id), () => ({ type: 'task_created', task }))];
        if (task.assignee_id) events.push(await assigned(tx, task, list.groupId));
        return { task, events };
      });
      notifier.durable(events);
      return task;
    },

    async list(userId: string, input: { listId: string; includeDone?: boolean }): Promise<wire.Task[]> {
      await listFor(db, input.listId, userId);
      const rows = await db
        .select()
        .from(tasks)
        .where(and(eq(tasks.listId, input.listId), input.includeDone === false ? eq(tasks.done, false) : undefined))
        .orderBy(asc(tasks.position));
      return rows.map(presentTask);
    },

    async update(userId: string, patch: TaskPatch): Promise<wire.Task> {
      const { taskId } = patch;
      const { task, events } = await db.transaction(async (tx) => {
        const { list, task: current } = await taskFor(tx, taskId, userId);
        checkVersion(current, patch.expectedVersion);
        // Nothing to change is not a change: no new version, no event.
        const { taskId: _, expectedVersion: __, ...fields } = patch;
        if (Object.values(fields).every((v) => v === undefined)) return { task: presentTask(current), events: [] };
        if (patch.assigneeId) await requireAssignee(tx, list.groupId, patch.assigneeId);
        const doneChanged = patch.done !== undefined && patch.done !== current.done;
        const [row] = await tx
          .update(tasks)
          .set({
            ...(patch.title !== undefined && { title: patch.title }),
            ...(patch.notes !== undefined && { notes: patch.notes }),
            ...(doneChanged && { done: patch.done, doneAt: patch.done ? new Date() : null }),
            ...(patch.assigneeId !== undefined && { assigneeId: patch.assigneeId }),
            ...(patch.dueAt !== undefined && { dueAt: dateOf(patch.dueAt) }),
            version: sql`${tasks.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(tasks.id, taskId))
          .returning();
        const task = presentTask(row!);
        const events = [await eventLog.append(tx, taskListStream(list.id), () => ({ type: 'task_updated', task }))];
        if (task.assignee_id && task.assignee_id !== current.assigneeId) events.push(await assigned(tx, task, list.groupId));
        return { task, events };
      });
      notifier.durable(events);
      return task;
    },

    /** Puts the task right after `afterId` (null: first); only this task's row is rewritten (bar a rebalance). */
    async move(userId: string, input: { taskId: string; afterId?: string | null; expectedVersion?: number }): Promise<wire.Task> {
      if (input.afterId === input.taskId) throw badRequest('A task cannot be moved after itself');
      const { task, events } = await db.transaction(async (tx) => {
        const { list, task: current } = await taskFor(tx, input.taskId, userId);
        checkVersion(current, input.expectedVersion);
        const key = await ordering.after(tx, TASK_ORDER, list.id, input.afterId ?? null, current.id);
        const [updated] = await tx
          .update(tasks)
          .set({ position: key, version: sql`${tasks.version} + 1`, updatedAt: new Date() })
          .where(eq(tasks.id, current.id))
          .returning();
        const { row, moved } = await settle(tx, updated!, key);
        const task = presentTask(row);
        return { task, events: [...moved, await eventLog.append(tx, taskListStream(list.id), () => ({ type: 'task_moved', task }))] };
      });
      notifier.durable(events);
      return task;
    },

    async delete(userId: string, taskId: string): Promise<void> {
      const event = await db.transaction(async (tx) => {
        const { list, role, task } = await taskFor(tx, taskId, userId);
        requireDeleter(task.createdBy, userId, role, 'task');
        await tx.delete(tasks).where(eq(tasks.id, taskId));
        return eventLog.append(tx, taskListStream(list.id), () => ({ type: 'task_deleted', id: taskId, list_id: list.id }));
      });
      notifier.durable([event]);
    },

    /** Tasks assigned to the caller in groups they belong to, due soonest first (undated last). */
    async mine(userId: string, includeDone = false): Promise<wire.Task[]> {
      const rows = await db
        .select({ task: tasks })
        .from(tasks)
        .innerJoin(taskLists, eq(taskLists.id, tasks.listId))
        .innerJoin(memberships, and(eq(memberships.groupId, taskLists.groupId), eq(memberships.userId, userId)))
        .where(and(eq(tasks.assigneeId, userId), includeDone ? undefined : eq(tasks.done, false)))
        .orderBy(sql`${tasks.dueAt} asc nulls last`, asc(tasks.createdAt), asc(tasks.id));
      return rows.map((r) => presentTask(r.task));
    },

    /**
     * Unassigns a departing member's tasks in a group, inside the removal's transaction; returns
     * the `task_updated` events to publish after commit. Lists are locked first, in id order,
     * like every other write to them, so this cannot deadlock with a concurrent edit.
     */
    async unassignMember(tx: Tx, groupId: string, memberId: string): Promise<StreamEvent[]> {
      const lists = await tx
        .select({ id: taskLists.id })
        .from(taskLists)
        .where(eq(taskLists.groupId, groupId))
        .orderBy(asc(taskLists.id))
        .for('update');
      if (!lists.length) return [];
      const rows = await tx
        .update(tasks)
        .set({ assigneeId: null, version: sql`${tasks.version} + 1`, updatedAt: new Date() })
        .where(
          and(
            eq(tasks.assigneeId, memberId),
            inArray(
              tasks.listId,
              lists.map((l) => l.id),
            ),
          ),
        )
        .returning();
      rows.sort((a, b) => (a.listId < b.listId ? -1 : a.listId > b.listId ? 1 : a.position < b.position ? -1 : 1));
      const events: StreamEvent[] = [];
      for (const r of rows)
        events.push(await eventLog.append(tx, taskListStream(r.listId), () => ({ type: 'task_updated', task: presentTask(r) })));
      return events;
    },
  };
}
