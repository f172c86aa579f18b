import { router } from '../trpc/init.ts';
import { authRouter } from './auth.ts';
import { boardsRouter, cardsRouter } from './boards.ts';
import { channelsRouter } from './channels.ts';
import { dmsRouter } from './dms.ts';
import { filesRouter } from './files.ts';
import { docsRouter } from './docs.ts';
import { groupsRouter } from './groups.ts';
import { messagesRouter } from './messages.ts';
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
