import { router, type DirectMutation } from '../trpc/init.ts';
import { authRouter } from './auth.ts';
import { boardsRouter, cardsRouter } from './boards.ts';
import { channelsRouter } from './channels.ts';
import { dmsRouter } from './dms.ts';
import { filesRouter } from './files.ts';
import { docsRouter } from './docs.ts';
import { groupsRouter } from './groups.ts';
import { messagesDirect, messagesRouter } from './messages.ts';
import { realtimeRouter } from './realtime.ts';
import { tasksRouter } from './tasks.ts';
import { usersRouter } from './users.ts';

/** The whole API (CONTRACT.md "Procedures"). */
export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  groups: groupsRouter,
  channels: channelsRouter,
  messages: messagesRouter,
  dms: dmsRouter,
  tasks: tasksRouter,
  boards: boardsRouter,
  cards: cardsRouter,
  files: filesRouter,
  realtime: realtimeRouter,
  docs: docsRouter,
});

export type AppRouter = typeof appRouter;

/** Mutations a transport may run without tRPC's middleware chain (see hotMutation), by path. */
export const directMutations: ReadonlyMap<string, DirectMutation> = new Map(Object.entries(messagesDirect));
