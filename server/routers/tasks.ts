import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const ok = { ok: true as const };

/** `tasks.*` (CONTRACT.md "Tasks"); the live stream is `realtime.tasks`. */
export const tasksRouter = router({
  createList: authedProcedure
    .input(s.CreateTaskListInput)
    .output(s.TaskList)
    .mutation(({ ctx, input }) => ctx.services.tasks.createList(ctx.user.id, { groupId: input.group_id, name: input.name })),
  lists: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.TaskList))
    .query(({ ctx, input }) => ctx.services.tasks.lists(ctx.user.id, input.group_id)),
  renameList: authedProcedure
    .input(s.RenameTaskListInput)
    .output(s.TaskList)
    .mutation(({ ctx, input }) => ctx.services.tasks.renameList(ctx.user.id, { listId: input.list_id, name: input.name })),
  deleteList: authedProcedure
    .input(s.ListIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.tasks.deleteList(ctx.user.id, input.list_id), ok)),
  create: authedProcedure
    .input(s.CreateTaskInput)
    .output(s.Task)
    .mutation(({ ctx, input }) =>
      ctx.services.tasks.create(ctx.user.id, {
        listId: input.list_id,
        title: input.title,
        notes: input.notes,
        assigneeId: input.assignee_id,
        dueAt: input.due_at,
      }),
    ),
  list: authedProcedure
    .input(s.ListTasksInput)
    .output(z.array(s.Task))
    .query(({ ctx, input }) => ctx.services.tasks.list(ctx.user.id, { listId: input.list_id, includeDone: input.include_done })),
  update: authedProcedure
    .input(s.UpdateTaskInput)
    .output(s.Task)
    .mutation(({ ctx, input }) =>
      ctx.services.tasks.update(ctx.user.id, input.task_id, {
        title: input.title,
        notes: input.notes,
        done: input.done,
        assigneeId: input.assignee_id,
        dueAt: input.due_at,
        expectedVersion: input.expected_version,
      }),
    ),
  move: authedProcedure
    .input(s.MoveTaskInput)
    .output(s.Task)
    .mutation(({ ctx, input }) =>
      ctx.services.tasks.move(ctx.user.id, {
        taskId: input.task_id,
        afterId: input.after_id ?? null,
        expectedVersion: input.expected_version,
      }),
    ),
  delete: authedProcedure
    .input(s.TaskIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.tasks.delete(ctx.user.id, input.task_id), ok)),
  mine: authedProcedure
    .input(s.MyTasksInput)
    .output(z.array(s.Task))
    .query(({ ctx, input }) => ctx.services.tasks.mine(ctx.user.id, input?.include_done ?? false)),
});
