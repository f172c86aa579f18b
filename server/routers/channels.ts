import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const channelsRouter = router({
  create: authedProcedure
    .input(camelInput(s.CreateChannelInput))
    .output(s.Channel)
    .mutation(({ ctx, input }) => ctx.services.channels.create(ctx.user.id, input)),
  list: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.Channel))
    .query(({ ctx, input }) => ctx.services.channels.list(ctx.user.id, input.group_id)),
  get: authedProcedure
    .input(s.ChannelIdInput)
    .output(s.Channel)
    .query(({ ctx, input }) => ctx.services.channels.get(ctx.user.id, input.channel_id)),
  update: authedProcedure
    .input(camelInput(s.UpdateChannelInput))
    .output(s.Channel)
    .mutation(({ ctx, input }) => ctx.services.channels.update(ctx.user.id, input)),
  delete: authedProcedure
    .input(s.ChannelIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.channels.delete(ctx.user.id, input.channel_id);
      return s.OK;
    }),
});
