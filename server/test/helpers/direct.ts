import { TRPCClientError, type TRPCClient } from '@trpc/client';
import { getErrorShape, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import type { Logger } from '../../log.ts';
import { appRouter, type AppRouter } from '../../routers/index.ts';
import type { Services } from '../../services/index.ts';
import { createContextInner } from '../../trpc/context.ts';

/**
 * A stock-client look-alike that calls the router in process through `createCaller`, for suites
 * that test what procedures do rather than how they travel (the HTTP and WebSocket transports
 * have their own end-to-end suites). It skips the socket, the HTTP framing and the batching,
 * and keeps everything a caller can observe:
 * - the context is built per call by `createContextInner` from the bearer token, as the HTTP edge does;
 * - input and output cross a JSON round trip, so dates become strings and `undefined` fields vanish;
 * - a refusal is a `TRPCClientError` whose `data` is the router's own error formatter's output
 *   (code, httpStatus, issues, retry_after_seconds), exactly what the HTTP edge sends;
 * - `.query` on a mutation (or the reverse) is refused as the HTTP edge refuses it.
 */

/** What an in-process client needs from a running server (a TestServer has both). */
export interface InProcess {
  services: Services;
  log: Logger;
}

/** Where a fixture sends its calls: a base URL (stock HTTP client) or a server's services (createCaller). */
export type ApiTarget = string | InProcess;

const wire = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** The peer address the HTTP edge would see for a local client (login throttles are keyed by it too). */
const LOCAL_IP = '127.0.0.1';

/** A client with the stock client's shape (`api.groups.get.query(input)`) that calls `appRouter.createCaller`. */
export function directClient(target: InProcess, token?: string | (() => string | undefined)): TRPCClient<AppRouter> {
  const call = async (path: string[], type: 'query' | 'mutation', rawInput: unknown) => {
    // A call over a socket reaches the server in a later turn of the event loop; so does this one.
    // Without it a test that polls in a loop could run on microtasks alone (PGlite answers in
    // process) and starve the timers the server's group commit waits on.
    await new Promise((resolve) => setImmediate(resolve));
    const fullPath = path.join('.');
    const input = wire(rawInput);
    const context = () =>
      createContextInner({
        services: target.services,
        log: target.log,
        token: (typeof token === 'function' ? token() : token) ?? null,
        ip: LOCAL_IP,
      });
    let ctx: Awaited<ReturnType<typeof context>> | undefined;
    try {
      const procedure = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } } | undefined>)[fullPath];
      if (procedure && procedure._def.type !== type) {
        // The fetch adapter answers a GET for a mutation (and a POST for a query) this way.
        const method = type === 'query' ? 'GET' : 'POST';
        const message = `Unsupported ${method}-request to ${procedure._def.type} procedure at path "${fullPath}"`;
        throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message });
      }
      ctx = await context();
      const caller = appRouter.createCaller(ctx) as unknown as Record<string, any>;
      const fn = path.reduce<any>((node, key) => node[key], caller);
      return wire(await fn(input));
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const shape = getErrorShape({ config: appRouter._def._config, error, type, path: fullPath, input, ctx });
      throw TRPCClientError.from({ error: wire(shape) });
    }
  };

  const node = (path: string[]): any =>
    new Proxy(() => {}, {
      get(_target, key) {
        if (typeof key !== 'string') return undefined;
        if (key === 'query') return (input?: unknown) => call(path, 'query', input);
        if (key === 'mutate') return (input?: unknown) => call(path, 'mutation', input);
        if (key === 'subscribe') {
          return () => {
            throw new Error(`${path.join('.')}: subscriptions need a socket; use wsClient or splitClient`);
          };
        }
        // A promise-like check (await client.x) must not look like a thenable.
        if (key === 'then') return undefined;
        return node([...path, key]);
      },
    });
  return node([]) as TRPCClient<AppRouter>;
}
