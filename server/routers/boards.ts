import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const ok = { ok: true as const };

/** `boards.*` (CONTRACT.md "Kanban boards"); the live stream is `realtime.board`. */
export const boardsRouter = router({
  create: authedProcedure
    .input(s.CreateBoardInput)
    .output(s.BoardDetail)
    .mutation(({ ctx, input }) =>
      ctx.services.boards.create(ctx.user.id, { groupId: input.group_id, name: input.name, columns: input.columns }),
    ),
  list: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.Board))
    .query(({ ctx, input }) => ctx.services.boards.list(ctx.user.id, input.group_id)),
  get: authedProcedure
    .input(s.BoardIdInput)
    .output(s.BoardDetail)
    .query(({ ctx, input }) => ctx.services.boards.get(ctx.user.id, input.board_id)),
  rename: authedProcedure
    .input(s.RenameBoardInput)
    .output(s.Board)
    .mutation(({ ctx, input }) => ctx.services.boards.rename(ctx.user.id, { boardId: input.board_id, name: input.name })),
  delete: authedProcedure
    .input(s.BoardIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.boards.delete(ctx.user.id, input.board_id), ok)),
  addColumn: authedProcedure
    .input(s.AddColumnInput)
    .output(s.Column)
    .mutation(({ ctx, input }) => ctx.services.boards.addColumn(ctx.user.id, { boardId: input.board_id, name: input.name })),
  updateColumn: authedProcedure
    .input(s.UpdateColumnInput)
    .output(s.Column)
    .mutation(({ ctx, input }) => ctx.services.boards.updateColumn(ctx.user.id, { columnId: input.column_id, name: input.name })),
  moveColumn: authedProcedure
    .input(s.MoveColumnInput)
    .output(s.Column)
    .mutation(({ ctx, input }) =>
      ctx.services.boards.moveColumn(ctx.user.id, { columnId: input.column_id, afterId: input.after_id ?? null }),
    ),
  deleteColumn: authedProcedure
    .input(s.DeleteColumnInput)
    .output(s.Ok)
    .mutation(
      async ({ ctx, input }) => (
        await ctx.services.boards.deleteColumn(ctx.user.id, { columnId: input.column_id, moveCardsTo: input.move_cards_to }),
        ok
      ),
    ),
});

/** `cards.*`: the cards of a board. */
export const cardsRouter = router({
  create: authedProcedure
    .input(s.CreateCardInput)
    .output(s.Card)
    .mutation(({ ctx, input }) =>
      ctx.services.boards.cards.create(ctx.user.id, {
        columnId: input.column_id,
        title: input.title,
        description: input.description,
        assigneeId: input.assignee_id,
        dueAt: input.due_at,
        labels: input.labels,
      }),
    ),
  update: authedProcedure
    .input(s.UpdateCardInput)
    .output(s.Card)
    .mutation(({ ctx, input }) =>
      ctx.services.boards.cards.update(ctx.user.id, input.card_id, {
        title: input.title,
        description: input.description,
        assigneeId: input.assignee_id,
        dueAt: input.due_at,
        labels: input.labels,
        expectedVersion: input.expected_version,
      }),
    ),
  move: authedProcedure
    .input(s.MoveCardInput)
    .output(s.Card)
    .mutation(({ ctx, input }) =>
      ctx.services.boards.cards.move(ctx.user.id, {
        cardId: input.card_id,
        columnId: input.column_id,
        afterId: input.after_id ?? null,
        expectedVersion: input.expected_version,
      }),
    ),
  delete: authedProcedure
    .input(s.CardIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => (await ctx.services.boards.cards.delete(ctx.user.id, input.card_id), ok)),
});
