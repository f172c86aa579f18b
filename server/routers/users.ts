import * as s from '../../shared/index.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const usersRouter = router({
  byUsername: authedProcedure
    .input(s.ByUsernameInput)
    .output(s.User)
    .query(({ ctx, input }) => ctx.services.users.byUsername(input.username)),
});
