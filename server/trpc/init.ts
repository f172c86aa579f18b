import { initTRPC, TRPCError } from '@trpc/server';
import type { Context } from './context.ts';
import { formatError, toTRPCError } from './errors.ts';

// SSE off: subscriptions are WebSocket-only (the HTTP edge refuses them before tRPC runs, too).
const t = initTRPC.context<Context>().create({ errorFormatter: formatError, sse: { enabled: false } });

export const router = t.router;

/** Maps a failed call's domain error (services throw DomainError, not TRPCError) to its tRPC code. */
function mapDomainErrors<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  if (!result.ok) throw toTRPCError(result.error);
  return result;
}

export const publicProcedure = t.procedure.use(async ({ next }) => mapDomainErrors(await next()));

/**
 * Requires a valid, unexpired access token. Expiry is checked on every call because a WebSocket
 * context is built once per connection and outlives the token. Maps domain errors too: one
 * middleware rather than two on top of each other, since every tRPC middleware level copies the
 * call's options (and this one runs on every message sent).
 */
export const authedProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.auth || !ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'Not authenticated' });
  if (ctx.auth.exp * 1000 <= Date.now()) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Access token expired' });
  // Only the narrowed field: tRPC merges it into the context (a spread of the whole context per call is its cost).
  return mapDomainErrors(await next({ ctx: { user: ctx.user } }));
});
