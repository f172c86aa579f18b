import * as s from '../../shared/index.ts';
import { camelInput } from '../trpc/camel.ts';
import { authedProcedure, publicProcedure, router } from '../trpc/init.ts';

export const authRouter = router({
  register: publicProcedure
    .input(camelInput(s.RegisterInput))
    .output(s.Session)
    .mutation(({ ctx, input }) => ctx.services.auth.register(input)),
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
      return s.OK;
    }),
  me: authedProcedure.output(s.User).query(({ ctx }) => ctx.services.users.byId(ctx.user.id)),
});
