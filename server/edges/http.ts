import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Server } from 'bun';
import type { Logger } from '../log.ts';
import { appRouter } from '../routers/index.ts';
import type { Services } from '../services/index.ts';
import { bearerToken, createContextInner } from '../trpc/context.ts';
import type { Metrics } from './metrics.ts';
import type { OriginPolicy } from './origins.ts';

export interface HttpDeps {
  services: Services;
  log: Logger;
  origins: OriginPolicy;
  metrics: Metrics;
  /** Readiness checks: each resolves when its dependency is reachable. */
  ready: Record<string, () => Promise<boolean>>;
  /** Tries to take the request as a WebSocket upgrade: true when it did, false when no route matched. */
  upgrade(req: Request, server: Server<any>): Promise<boolean | Response>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Every HTTP route: tRPC, WebSocket upgrades, health, readiness and metrics. */
export function createHttpHandler(deps: HttpDeps) {
  const { services, log, origins, metrics } = deps;

  async function trpc(req: Request, server: Server<unknown>) {
    const cors = origins.headers(req);
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
    if (!origins.isAllowed(req)) return json({ error: 'origin not allowed' }, 403);
    const ip = server.requestIP(req)?.address ?? 'unknown';
    const res = await fetchRequestHandler({
      endpoint: '/trpc',
      req,
      router: appRouter,
      allowMethodOverride: false,
      createContext: () => createContextInner({ services, log, token: bearerToken(req.headers.get('authorization')), ip }),
      responseMeta: ({ errors }) => {
        const retry = errors.map((e) => (e.cause as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds).find(Boolean);
        return { headers: { ...cors, ...(retry ? { 'retry-after': String(retry) } : {}) } };
      },
    });
    return res;
  }

  async function readiness() {
    const checks = await Promise.all(
      Object.entries(deps.ready).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
    );
    const body = Object.fromEntries(checks.map(([name, ok]) => [name, ok ? 'ok' : 'down']));
    return json({ status: checks.every(([, ok]) => ok) ? 'ready' : 'degraded', checks: body }, checks.every(([, ok]) => ok) ? 200 : 503);
  }

  return async function fetch(req: Request, server: Server<unknown>): Promise<Response | undefined> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      metrics.httpRequests.inc({ route: 'upgrade' });
      const upgraded = await deps.upgrade(req, server);
      if (upgraded === true) return undefined;
      return upgraded === false ? json({ error: 'not found' }, 404) : upgraded;
    }
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      metrics.httpRequests.inc({ route: 'trpc' });
      return trpc(req, server);
    }
    if (path === '/healthz') return json({ status: 'ok' });
    if (path === '/readyz') return readiness();
    if (path === '/metrics') {
      return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
    }
    return json({ error: 'not found' }, 404);
  };
}
