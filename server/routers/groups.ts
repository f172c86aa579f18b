import { z } from 'zod';
import * as s from '../../shared/index.ts';
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
    .input(s.UpdateGroupInput)
    .output(s.Group)
    .mutation(({ ctx, input }) =>
      ctx.services.groups.update(ctx.user.id, { groupId: input.group_id, name: input.name, description: input.description }),
    ),
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
    .input(s.AddMemberInput)
    .output(s.Member)
    .mutation(({ ctx, input }) =>
      ctx.services.members.add(ctx.user.id, { groupId: input.group_id, userId: input.user_id, role: input.role }),
    ),
  removeMember: authedProcedure
    .input(s.MemberInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.members.remove(ctx.user.id, { groupId: input.group_id, userId: input.user_id });
      return s.OK;
    }),
  setRole: authedProcedure
    .input(s.SetRoleInput)
    .output(s.Member)
    .mutation(({ ctx, input }) =>
      ctx.services.members.setRole(ctx.user.id, { groupId: input.group_id, userId: input.user_id, role: input.role }),
    ),
  createInvite: authedProcedure
    .input(s.CreateInviteInput)
    .output(z.object({ code: z.string(), expires_at: z.iso.datetime() }))
    .mutation(({ ctx, input }) =>
      ctx.services.members.createInvite(ctx.user.id, {
        groupId: input.group_id,
        maxUses: input.max_uses,
        expiresInSeconds: input.expires_in_seconds,
      }),
    ),
  join: authedProcedure
    .input(s.JoinInput)
    .output(s.Group)
    .mutation(({ ctx, input }) => ctx.services.members.join(ctx.user.id, input.code)),
});
