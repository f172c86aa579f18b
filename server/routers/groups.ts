import { z } from 'zod';
import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const groupsRouter = router({
  create: authedProcedure
    .input(s.CreateGroupInput)
    .output(s.Group)
    .mutation(({ ctx, input }) => ctx.services.groups.create(ctx.user.id, input)),
  list: authedProcedure.output(z.array(s.Group)).query(({ ctx }) => ctx.services.groups.list(ctx.user.id)),
  get: authedProcedure
    .input(s.GroupIdInput)
    .output(s.Group)
    .query(({ ctx, input }) => ctx.services.groups.get(ctx.user.id, input.group_id)),
  update: authedProcedure
    .input(camelInput(s.UpdateGroupInput))
    .output(s.Group)
    .mutation(({ ctx, input }) => ctx.services.groups.update(ctx.user.id, input)),
  delete: authedProcedure
    .input(s.GroupIdInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.groups.delete(ctx.user.id, input.group_id);
      return s.OK;
    }),
  members: authedProcedure
    .input(s.GroupIdInput)
    .output(z.array(s.Member))
    .query(({ ctx, input }) => ctx.services.members.list(ctx.user.id, input.group_id)),
  addMember: authedProcedure
    .input(camelInput(s.AddMemberInput))
    .output(s.Member)
    .mutation(({ ctx, input }) => ctx.services.members.add(ctx.user.id, input)),
  removeMember: authedProcedure
    .input(camelInput(s.MemberInput))
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.members.remove(ctx.user.id, input);
      return s.OK;
    }),
  setRole: authedProcedure
    .input(camelInput(s.SetRoleInput))
    .output(s.Member)
    .mutation(({ ctx, input }) => ctx.services.members.setRole(ctx.user.id, input)),
  createInvite: authedProcedure
    .input(camelInput(s.CreateInviteInput))
    .output(z.object({ code: z.string(), expires_at: z.iso.datetime() }))
    .mutation(({ ctx, input }) => ctx.services.members.createInvite(ctx.user.id, input)),
  join: authedProcedure
    .input(s.JoinInput)
    .output(s.Group)
    .mutation(({ ctx, input }) => ctx.services.members.join(ctx.user.id, input.code)),
});
