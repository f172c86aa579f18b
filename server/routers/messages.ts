import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, hotMutation, router, type DirectMutation } from '../trpc/init.ts';

// The hot paths: their output is built to the shared schema's type, so they skip runtime output
// validation (a history page's was a tenth of its CPU). A send is the chat's hottest call: the
// WebSocket transport runs it without tRPC's middleware chain too.
const send = hotMutation(camelInput(s.SendMessageInput), ({ services, user }, input): Promise<s.Message> =>
  services.messages.send(user, input),
);

/** Mutations the WebSocket transport calls directly, by path. */
export const messagesDirect: Record<string, DirectMutation> = { 'messages.send': send.direct };

export const messagesRouter = router({
  send: send.procedure,
  list: authedProcedure
    .input(camelInput(s.ListMessagesInput))
    .query(({ ctx, input }): Promise<s.MessagePage> => ctx.services.messages.list(ctx.user, input)),
  edit: authedProcedure
    .input(s.EditMessageInput)
    .output(s.Message)
    .mutation(({ ctx, input }) => ctx.services.messages.edit(ctx.user, input.message_id, input.content)),
  delete: authedProcedure
    .input(s.MessageIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.messages.delete(ctx.user, input.message_id);
      return s.OK;
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
    .input(camelInput(s.SearchInput))
    .output(z.array(s.Message))
    .query(({ ctx, input }) => ctx.services.search.search(ctx.user, input)),
  markRead: authedProcedure
    .input(s.MarkReadInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.reads.markChannel(ctx.user, input.channel_id, input.seq);
      return s.OK;
    }),
});
