import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

/** `tasks.*` (CONTRACT.md "Tasks"); the live stream is `realtime.tasks`. */
export const tasksRouter = router({
  createList: authedProcedure
    .input(camelInput(s.CreateTaskListInput))
    .output(s.TaskList)
    .mutation(({ ctx, input }) => ctx.services.tasks.createList(ctx.user.id, input)),
  lists: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.TaskList))
    .query(({ ctx, input }) => ctx.services.tasks.lists(ctx.user.id, input.group_id)),
  renameList: authedProcedure
    .input(camelInput(s.RenameTaskListInput))
    .output(s.TaskList)
    .mutation(({ ctx, input }) => ctx.services.tasks.renameList(ctx.user.id, input)),
  deleteList: authedProcedure
    .input(s.ListIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.tasks.deleteList(ctx.user.id, input.list_id), s.OK)),
  create: authedProcedure
    .input(camelInput(s.CreateTaskInput))
    .output(s.Task)
    .mutation(({ ctx, input }) => ctx.services.tasks.create(ctx.user.id, input)),
  list: authedProcedure
    .input(camelInput(s.ListTasksInput))
    .output(z.array(s.Task))
    .query(({ ctx, input }) => ctx.services.tasks.list(ctx.user.id, input)),
  update: authedProcedure
    .input(camelInput(s.UpdateTaskInput))
    .output(s.Task)
    .mutation(({ ctx, input }) => ctx.services.tasks.update(ctx.user.id, input)),
  move: authedProcedure
    .input(camelInput(s.MoveTaskInput))
    .output(s.Task)
    .mutation(({ ctx, input }) => ctx.services.tasks.move(ctx.user.id, input)),
  delete: authedProcedure
    .input(s.TaskIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.tasks.delete(ctx.user.id, input.task_id), s.OK)),
  mine: authedProcedure
    .input(s.MyTasksInput)
    .output(z.array(s.Task))
    .query(({ ctx, input }) => ctx.services.tasks.mine(ctx.user.id, input?.include_done ?? false)),
});
