import { getTRPCErrorFromUnknown, initTRPC, TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { Caller } from '../services/caller.ts';
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
  // Only the narrowed field: tRPC merges it into the context (a spread of the whole context per call is its cost).
  return mapDomainErrors(await next({ ctx: { user: authedCaller(ctx) } }));
});

/** The caller of an authed call: a valid token that has not expired, or UNAUTHORIZED. */
function authedCaller(ctx: Context): Caller {
  if (!ctx.auth || !ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'Not authenticated' });
  if (ctx.auth.exp * 1000 <= Date.now()) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Access token expired' });
  return ctx.user;
}

/** What a hot mutation's resolver gets: the services and the authenticated caller. */
export type AuthedContext = Pick<Context, 'services'> & { user: Caller };

/**
 * An authed mutation that a transport may also run without tRPC's middleware chain (`direct`):
 * the same token check, input schema, resolver and error mapping, in one function call. Every
 * middleware level copies the call's options twice, and tRPC's transpiled spreads were about a
 * tenth of the server's CPU per persisted send. Only the chat's hot path uses it (messages.send);
 * anything with an output schema or a subscription goes through tRPC.
 */
export function hotMutation<S extends z.ZodType, R>(schema: S, resolve: (ctx: AuthedContext, input: z.output<S>) => Promise<R>) {
  return {
    procedure: authedProcedure.input(schema).mutation(({ ctx, input }) => resolve(ctx, input as z.output<S>)),
    async direct(ctx: Context, rawInput: unknown): Promise<R> {
      const user = authedCaller(ctx);
      let input: z.output<S>;
      try {
        input = schema.parse(rawInput);
      } catch (cause) {
        throw new TRPCError({ code: 'BAD_REQUEST', cause }); // as tRPC's input middleware does
      }
      try {
        return await resolve({ services: ctx.services, user }, input);
      } catch (cause) {
        throw toTRPCError(getTRPCErrorFromUnknown(cause));
      }
    },
  };
}

/** A mutation the WebSocket transport runs directly (see hotMutation). */
export type DirectMutation = (ctx: Context, rawInput: unknown) => Promise<unknown>;
