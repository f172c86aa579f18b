import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

/** Direct messages; edit/delete/react/markRead mirror the channel procedures for DM ids. */
export const dmsRouter = router({
  send: authedProcedure
    .input(camelInput(s.SendDmInput))
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) => ctx.services.dms.send(ctx.user, input)),
  list: authedProcedure
    .input(camelInput(s.ListDmsInput))
    .output(s.DirectMessagePage)
    .query(({ ctx, input }) => ctx.services.dms.list(ctx.user, input)),
  conversations: authedProcedure.output(z.array(s.Conversation)).query(({ ctx }) => ctx.services.dms.conversations(ctx.user)),
  edit: authedProcedure
    .input(s.EditMessageInput)
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) => ctx.services.dms.edit(ctx.user, input.message_id, input.content)),
  delete: authedProcedure
    .input(s.MessageIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.dms.delete(ctx.user, input.message_id);
      return s.OK;
    }),
  react: authedProcedure
    .input(s.ReactInput)
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) => ctx.services.dms.react(ctx.user, input.message_id, input.emoji)),
  unreact: authedProcedure
    .input(s.ReactInput)
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) => ctx.services.dms.unreact(ctx.user, input.message_id, input.emoji)),
  markRead: authedProcedure
    .input(s.MarkDmReadInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.reads.markDm(ctx.user, input.user_id, input.seq);
      return s.OK;
    }),
});
