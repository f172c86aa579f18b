import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const Page = z.object({ items: z.array(s.DirectMessage), next_before_seq: z.number().int().nullable() });
const ok = { ok: true as const };

/** Direct messages; edit/delete/react/markRead mirror the channel procedures for DM ids. */
export const dmsRouter = router({
  send: authedProcedure
    .input(s.SendDmInput)
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) =>
      ctx.services.dms.send(ctx.user, {
        userId: input.user_id,
        content: input.content,
        nonce: input.nonce,
        attachmentIds: input.attachment_ids,
      }),
    ),
  list: authedProcedure
    .input(s.ListDmsInput)
    .output(Page)
    .query(({ ctx, input }) =>
      ctx.services.dms.list(ctx.user, {
        userId: input.user_id,
        beforeSeq: input.before_seq,
        afterSeq: input.after_seq,
        limit: input.limit,
      }),
    ),
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
      return ok;
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
      return ok;
    }),
});
