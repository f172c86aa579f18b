import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';
import { live } from '../trpc/live.ts';

/**
 * The resume point. A stock tRPC client reconnecting adds `lastEventId` (the last id it received)
 * to the original input, which may still carry the caller's first `last_event_id`: the newer wins.
 */
const resumeFrom = (input: { last_event_id?: string; lastEventId?: string | null } | undefined): number | null => {
  const id = input?.lastEventId ?? input?.last_event_id;
  return id === undefined || id === null ? null : Number(id);
};

export const realtimeRouter = router({
  channel: authedProcedure.input(s.ChannelStreamInput).subscription(async ({ ctx, input }) => {
    const { channel } = await ctx.services.access.channelFor(input.channel_id, ctx.user.id);
    return live(ctx.services.realtime.channel(ctx.user, channel, resumeFrom(input)));
  }),
  dm: authedProcedure
    .input(s.DmStreamInput)
    .subscription(async ({ ctx, input }) => live(await ctx.services.realtime.dm(ctx.user, input.user_id, resumeFrom(input)))),
  tasks: authedProcedure
    .input(s.TaskStreamInput)
    .subscription(async ({ ctx, input }) => live(await ctx.services.tasks.stream(ctx.user, input.list_id, resumeFrom(input)))),
  board: authedProcedure
    .input(s.BoardStreamInput)
    .subscription(async ({ ctx, input }) => live(await ctx.services.boards.stream(ctx.user, input.board_id, resumeFrom(input)))),
  doc: authedProcedure.input(s.DocStreamInput).subscription(async ({ ctx, input }) => {
    const { doc } = await ctx.services.docs.docFor(input.document_id, ctx.user.id);
    return live(ctx.services.docs.subscribe(ctx.user, doc));
  }),
  me: authedProcedure.input(s.MeStreamInput).subscription(({ ctx, input }) => live(ctx.services.realtime.me(ctx.user, resumeFrom(input)))),
  typing: authedProcedure
    .input(s.TypingInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.realtime.typing(ctx.user, input.channel_id, input.is_typing);
      return s.OK;
    }),
  dmTyping: authedProcedure
    .input(s.DmTypingInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.realtime.dmTyping(ctx.user, input.user_id, input.is_typing);
      return s.OK;
    }),
  signal: authedProcedure
    .input(s.SignalInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.realtime.signal(ctx.user, input);
      return s.OK;
    }),
});
