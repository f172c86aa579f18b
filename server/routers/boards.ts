import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

/** `boards.*` (CONTRACT.md "Kanban boards"); the live stream is `realtime.board`. */
export const boardsRouter = router({
  create: authedProcedure
    .input(camelInput(s.CreateBoardInput))
    .output(s.BoardDetail)
    .mutation(({ ctx, input }) => ctx.services.boards.create(ctx.user.id, input)),
  list: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.Board))
    .query(({ ctx, input }) => ctx.services.boards.list(ctx.user.id, input.group_id)),
  get: authedProcedure
    .input(s.BoardIdInput)
    .output(s.BoardDetail)
    .query(({ ctx, input }) => ctx.services.boards.get(ctx.user.id, input.board_id)),
  rename: authedProcedure
    .input(camelInput(s.RenameBoardInput))
    .output(s.Board)
    .mutation(({ ctx, input }) => ctx.services.boards.rename(ctx.user.id, input)),
  delete: authedProcedure
    .input(s.BoardIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.boards.delete(ctx.user.id, input.board_id), s.OK)),
  addColumn: authedProcedure
    .input(camelInput(s.AddColumnInput))
    .output(s.Column)
    .mutation(({ ctx, input }) => ctx.services.boards.addColumn(ctx.user.id, input)),
  updateColumn: authedProcedure
    .input(camelInput(s.UpdateColumnInput))
    .output(s.Column)
    .mutation(({ ctx, input }) => ctx.services.boards.updateColumn(ctx.user.id, input)),
  moveColumn: authedProcedure
    .input(camelInput(s.MoveColumnInput))
    .output(s.Column)
    .mutation(({ ctx, input }) => ctx.services.boards.moveColumn(ctx.user.id, input)),
  deleteColumn: authedProcedure
    .input(camelInput(s.DeleteColumnInput))
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.boards.deleteColumn(ctx.user.id, input), s.OK)),
});

/** `cards.*`: the cards of a board. */
export const cardsRouter = router({
  create: authedProcedure
    .input(camelInput(s.CreateCardInput))
    .output(s.Card)
    .mutation(({ ctx, input }) => ctx.services.boards.cards.create(ctx.user.id, input)),
  update: authedProcedure
    .input(camelInput(s.UpdateCardInput))
    .output(s.Card)
    .mutation(({ ctx, input }) => ctx.services.boards.cards.update(ctx.user.id, input)),
  move: authedProcedure
    .input(camelInput(s.MoveCardInput))
    .output(s.Card)
    .mutation(({ ctx, input }) => ctx.services.boards.cards.move(ctx.user.id, input)),
  delete: authedProcedure
    .input(s.CardIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.boards.cards.delete(ctx.user.id, input.card_id), s.OK)),
});
