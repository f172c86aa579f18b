import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

const Page = z.object({ items: z.array(s.DirectMessage), next_before_seq: z.number().int().nullable() });

export const dmsRouter = router({
  send: authedProcedure
    .input(s.SendDmInput)
    .output(s.DirectMessage)
    .mutation(({ ctx, input }) => ctx.services.dms.send(ctx.user, { userId: input.user_id, content: input.content, nonce: input.nonce })),
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
});
