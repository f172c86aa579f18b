import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../../shared/entities.ts';
import type * as wire from '../../../shared/tasks.ts';
import type { Tx } from '../../db/client.ts';
import { memberships, taskLists, tasks } from '../../db/schema/index.ts';
import { notFound } from '../../errors.ts';
import { iso, presentGroupItem, type CollabDeps } from '../collab.ts';

export type TaskDeps = CollabDeps;

export type TaskListRow = typeof taskLists.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

export const presentList = (r: TaskListRow): wire.TaskList => presentGroupItem(r);

export const presentTask = (r: TaskRow): wire.Task => ({
  id: r.id,
  list_id: r.listId,
  title: r.title,
  notes: r.notes,
  done: r.done,
  done_at: iso(r.doneAt),
  assignee_id: r.assigneeId,
  due_at: iso(r.dueAt),
  position: r.position,
  version: r.version,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

/**
 * The list and the caller's role in its group (NOT_FOUND for a non-member). With `lock`, the
 * list row stays locked until commit: every write to a list's order goes through it.
 */
export async function listFor(
  tx: Tx,
  listId: string | SQL,
  userId: string,
  lock = false,
  what = 'Task list',
): Promise<{ list: TaskListRow; role: Role }> {
  const q = tx
    .select({ list: taskLists, role: memberships.role })
    .from(taskLists)
    .innerJoin(memberships, and(eq(memberships.groupId, taskLists.groupId), eq(memberships.userId, userId)))
    .where(eq(taskLists.id, listId));
  const [row] = lock ? await q.for('update', { of: taskLists }) : await q;
  if (!row) throw notFound(what);
  return row;
}

/** A task with its list locked (found and locked in one statement), read after the lock so it is current. */
export async function taskFor(tx: Tx, taskId: string, userId: string) {
  const { list, role } = await listFor(tx, sql`(select ${tasks.listId} from ${tasks} where ${tasks.id} = ${taskId})`, userId, true, 'Task');
  const [task] = await tx.select().from(tasks).where(eq(tasks.id, taskId));
  if (!task) throw notFound('Task');
  return { list, role, task };
}
