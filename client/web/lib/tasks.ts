import type { Task, TaskList, TaskStreamEvent } from '../../index.ts';
import { placeAfter, sortByPosition } from './order.ts';
import { upsertNewer } from './versions.ts';

/** A task list as the server last said it is: `tasks.list` (and the list's name), with the stream applied. */
export interface ListData {
  list: TaskList;
  tasks: Task[];
}

/** What of a task can be changed in place. */
export type TaskPatch = Partial<Pick<Task, 'title' | 'notes' | 'done' | 'assignee_id' | 'due_at'>>;

/** A change of mine on its way to the server, shown already (and dropped when it fails). */
export type TaskOp =
  | { kind: 'move'; taskId: string; afterId: string | null }
  | { kind: 'patch'; taskId: string; patch: TaskPatch }
  | { kind: 'delete'; taskId: string };

/** One event of `realtime.tasks` applied (`list_deleted` is the view's to act on). */
export function applyTaskEvent(data: ListData, e: TaskStreamEvent): ListData {
  switch (e.type) {
    case 'task_created':
    case 'task_updated':
    case 'task_moved':
      return { ...data, tasks: upsertNewer(data.tasks, e.task) };
    case 'task_deleted':
      return { ...data, tasks: data.tasks.filter((t) => t.id !== e.id) };
    case 'list_updated':
      return { ...data, list: e.list };
    default:
      return data;
  }
}

/** The tasks as shown: in `position` order, with my pending changes on top. */
export function showTasks(data: ListData, ops: readonly TaskOp[]): Task[] {
  let tasks = sortByPosition(data.tasks);
  for (const op of ops) {
    const task = tasks.find((t) => t.id === op.taskId);
    if (!task) continue;
    if (op.kind === 'delete') tasks = tasks.filter((t) => t.id !== op.taskId);
    else if (op.kind === 'move') tasks = placeAfter(tasks, task, op.afterId);
    else tasks = tasks.map((t) => (t.id === op.taskId ? { ...t, ...op.patch } : t));
  }
  return tasks;
}
