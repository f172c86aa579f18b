import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const Page = z.object({ items: z.array(s.Message), next_before_seq: z.number().int().nullable() });
const ok = { ok: true as const };

export const messagesRouter = router({
  // The hot path: its output is built from the shared schema's type, so it skips runtime output validation.
  send: authedProcedure.input(s.SendMessageInput).mutation(({ ctx, input }) =>
    ctx.services.messages.send(ctx.user, {
      channelId: input.channel_id,
      content: input.content,
      nonce: input.nonce,
      attachmentIds: input.attachment_ids,
    }),
  ),
  list: authedProcedure
    .input(s.ListMessagesInput)
    .output(Page)
    .query(({ ctx, input }) =>
      ctx.services.messages.list(ctx.user, {
        channelId: input.channel_id,
        beforeSeq: input.before_seq,
        afterSeq: input.after_seq,
        limit: input.limit,
      }),
    ),
  edit: authedProcedure
    .input(s.EditMessageInput)
    .output(s.Message)
    .mutation(({ ctx, input }) => ctx.services.messages.edit(ctx.user, input.message_id, input.content)),
  delete: authedProcedure
    .input(s.MessageIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.messages.delete(ctx.user, input.message_id);
      return ok;
    }),
  react: authedProcedure
    .input(s.ReactInput)
    .output(s.Message)
    .mutation(({ ctx, input }) => ctx.services.messages.react(ctx.user, input.message_id, input.emoji)),
  unreact: authedProcedure
    .input(s.ReactInput)
    .output(s.Message)
    .mutation(({ ctx, input }) => ctx.services.messages.unreact(ctx.user, input.message_id, input.emoji)),
  search: authedProcedure
    .input(s.SearchInput)
    .output(z.array(s.Message))
    .query(({ ctx, input }) =>
      ctx.services.search.search(ctx.user, {
        query: input.query,
        groupId: input.group_id,
        channelId: input.channel_id,
        limit: input.limit,
      }),
    ),
  markRead: authedProcedure
    .input(s.MarkReadInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.reads.markChannel(ctx.user, input.channel_id, input.seq);
      return ok;
    }),
});
