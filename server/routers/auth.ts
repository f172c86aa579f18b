import * as s from '../../shared/index.ts';
import { authedProcedure, publicProcedure, router } from '../trpc/init.ts';

export const authRouter = router({
  register: publicProcedure
    .input(s.RegisterInput)
    .output(s.Session)
    .mutation(({ ctx, input }) =>
      ctx.services.auth.register({ username: input.username, password: input.password, displayName: input.display_name }, ctx.ip),
    ),
  login: publicProcedure
    .input(s.LoginInput)
    .output(s.Session)
    .mutation(({ ctx, input }) => ctx.services.auth.login(input, ctx.ip)),
  refresh: publicProcedure
    .input(s.RefreshInput)
    .output(s.Session)
    .mutation(({ ctx, input }) => ctx.services.auth.refresh(input.refresh_token)),
  logout: publicProcedure
    .input(s.RefreshInput)
    .output(s.Ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.logout(input.refresh_token);
      return { ok: true as const };
    }),
  me: authedProcedure.output(s.User).query(({ ctx }) => ctx.services.users.byId(ctx.user.id)),
});
