import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const Page = z.object({ items: z.array(s.Message), next_before_seq: z.number().int().nullable() });

export const messagesRouter = router({
  send: authedProcedure
    .input(s.SendMessageInput)
    .output(s.Message)
    .mutation(({ ctx, input }) =>
      ctx.services.messages.send(ctx.user, { channelId: input.channel_id, content: input.content, nonce: input.nonce }),
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
});
