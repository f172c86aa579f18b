import { z } from 'zod';
import { Timestamp, Uuid } from './entities.ts';
import { EventId, Name, Text } from './inputs.ts';
import { LIMITS } from './limits.ts';

/** Tasks (TODO lists): entities, procedure inputs and stream events (CONTRACT.md "Tasks"). */

export const TaskList = z.object({ id: Uuid, group_id: Uuid, name: z.string(), created_by: Uuid, created_at: Timestamp });
export type TaskList = z.infer<typeof TaskList>;

export const Task = z.object({
  id: Uuid,
  list_id: Uuid,
  title: z.string(),
  notes: z.string(),
  done: z.boolean(),
  done_at: Timestamp.nullable(),
  assignee_id: Uuid.nullable(),
  due_at: Timestamp.nullable(),
  /** Opaque order key: sorting by it (code-unit order) is the display order. */
  position: z.string(),
  version: z.number().int(),
  created_by: Uuid,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Task = z.infer<typeof Task>;

export const TaskTitle = Text().trim().min(LIMITS.taskTitleMin).max(LIMITS.taskTitleMax);
export const TaskNotes = Text().max(LIMITS.taskNotesMax);
/** A due date: ISO-8601 with an offset (`Z` or `+02:00`). */
export const DueAt = z.iso.datetime({ offset: true });
export const ExpectedVersion = z.number().int().min(0);

export const ListIdInput = z.object({ list_id: Uuid });
export const CreateTaskListInput = z.object({ group_id: Uuid, name: Name });
export const RenameTaskListInput = z.object({ list_id: Uuid, name: Name });
export const CreateTaskInput = z.object({
  list_id: Uuid,
  title: TaskTitle,
  notes: TaskNotes.optional(),
  assignee_id: Uuid.optional(),
  due_at: DueAt.optional(),
});
export const ListTasksInput = z.object({ list_id: Uuid, include_done: z.boolean().optional() });
export const UpdateTaskInput = z.object({
  task_id: Uuid,
  title: TaskTitle.optional(),
  notes: TaskNotes.optional(),
  done: z.boolean().optional(),
  assignee_id: Uuid.nullable().optional(),
  due_at: DueAt.nullable().optional(),
  expected_version: ExpectedVersion.optional(),
});
export const MoveTaskInput = z.object({
  task_id: Uuid,
  after_id: Uuid.nullable().optional(),
  expected_version: ExpectedVersion.optional(),
});
export const TaskIdInput = z.object({ task_id: Uuid });
export const MyTasksInput = z.object({ include_done: z.boolean().optional() }).optional();
export const TaskStreamInput = z.object({ list_id: Uuid, last_event_id: EventId.optional(), lastEventId: EventId.nullish() });

const taskEvent = <T extends string>(type: T) => z.object({ type: z.literal(type), task: Task });
/** Durable events of `realtime.tasks`, tracked with the list stream's sequence. */
export const TaskStreamEvent = z.discriminatedUnion('type', [
  taskEvent('task_created'),
  taskEvent('task_updated'),
  taskEvent('task_moved'),
  z.object({ type: z.literal('task_deleted'), id: Uuid, list_id: Uuid }),
  z.object({ type: z.literal('list_updated'), list: TaskList }),
  z.object({ type: z.literal('list_deleted'), id: Uuid }),
  z.object({ type: z.literal('resync_required'), latest_seq: z.number().int() }),
]);
export type TaskStreamEvent = z.infer<typeof TaskStreamEvent>;

/** What `realtime.me` gains for tasks. */
export const TaskMeEvents = [
  z.object({ type: z.literal('task_assigned'), task: Task, group_id: Uuid }),
  z.object({ type: z.literal('task_list_created'), list: TaskList, group_id: Uuid }),
  z.object({ type: z.literal('task_list_deleted'), list_id: Uuid, group_id: Uuid }),
] as const;
