import { initTRPC, TRPCError } from '@trpc/server';
import type { Context } from './context.ts';
import { formatError, toTRPCError } from './errors.ts';

// SSE off: subscriptions are WebSocket-only (the HTTP edge refuses them before tRPC runs, too).
const t = initTRPC.context<Context>().create({ errorFormatter: formatError, sse: { enabled: false } });

export const router = t.router;

/** Maps services' domain errors to tRPC codes, once for every procedure. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

/**
 * Requires a valid, unexpired access token. Expiry is checked on every call because a WebSocket
 * context is built once per connection and outlives the token.
 */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.auth || !ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'Not authenticated' });
  if (ctx.auth.exp * 1000 <= Date.now()) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Access token expired' });
  // Only the narrowed field: tRPC merges it into the context (a spread of the whole context per call is its cost).
  return next({ ctx: { user: ctx.user } });
});
