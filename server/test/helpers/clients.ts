import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '../../../client/index.ts';
import type { Session } from '../../../shared/entities.ts';

/** A stock tRPC client over HTTP batching, optionally authenticated. */
export function httpClient(baseUrl: string, token?: string | (() => string | undefined)): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${baseUrl}/trpc`,
        headers: () => {
          const t = typeof token === 'function' ? token() : token;
          return t ? { authorization: `Bearer ${t}` } : {};
        },
      }),
    ],
  });
}

/** A stock tRPC client with everything over one WebSocket (connectionParams auth). */
export function wsClient(baseUrl: string, token?: string | (() => string | undefined), opts: { retryDelayMs?: () => number } = {}) {
  const ws = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
    connectionParams: () => ({ token: (typeof token === 'function' ? token() : token) ?? '' }),
    retryDelayMs: opts.retryDelayMs ?? (() => 50),
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  return { api, ws, close: () => ws.close() };
}

/** Subscriptions over WebSocket, queries and mutations over HTTP: the typical frontend setup. */
export function splitClient(baseUrl: string, token: string) {
  const ws = createWSClient({ url: `${baseUrl.replace(/^http/, 'ws')}/trpc`, connectionParams: { token }, retryDelayMs: () => 50 });
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: ws }),
        false: httpBatchLink({ url: `${baseUrl}/trpc`, headers: { authorization: `Bearer ${token}` } }),
      }),
    ],
  });
  return { api, ws, close: () => ws.close() };
}

let counter = 0;
/** A unique username for this process. */
export const uniqueName = (prefix = 'user') => `${prefix}_${process.pid.toString(36)}_${(++counter).toString(36)}`;

/** Registers a fresh user and returns its session and an authenticated HTTP client. */
export async function register(
  baseUrl: string,
  prefix = 'user',
): Promise<{ session: Session; client: TRPCClient<AppRouter>; id: string; username: string; token: string }> {
  const session = await httpClient(baseUrl).auth.register.mutate({ username: uniqueName(prefix), password: 'correct horse battery' });
  return {
    session,
    client: httpClient(baseUrl, session.access_token),
    id: session.user.id,
    username: session.user.username,
    token: session.access_token,
  };
}
