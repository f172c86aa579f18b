import { timingSafeEqual } from 'node:crypto';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Server } from 'bun';
import { capUploadBody, createFileDownloads, isUploadRequest } from './files.ts';
import type { Logger } from '../log.ts';
import { appRouter } from '../routers/index.ts';
import { uploadTooLargeMessage } from '../services/files/service.ts';
import type { Services } from '../services/index.ts';
import { bearerToken, createContextInner } from '../trpc/context.ts';
import { LIMITS } from '../../shared/limits.ts';
import { bodyLimitFor, limitBody, namesSubscription, procedurePaths, trpcError, type BodyLimits } from './http-limits.ts';
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
  /** When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | null;
  /** Per-procedure body limits above the 1 MiB default (the upload path's hook). */
  bodyLimits?: BodyLimits;
  /** The web app's files (edges/static.ts): a response, or null when the path is not one of them. */
  web?: (req: Request) => Promise<Response | null>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Every HTTP route: tRPC, WebSocket upgrades, health, readiness and metrics. */
export function createHttpHandler(deps: HttpDeps) {
  const { services, log, origins, metrics } = deps;
  const downloads = createFileDownloads({ services, log });

  async function trpc(req: Request, server: Server<unknown>) {
    const cors = origins.headers(req);
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
    if (!origins.isAllowed(req)) return json({ error: 'origin not allowed' }, 403);
    const paths = procedurePaths(new URL(req.url).pathname);
    // Subscriptions are served over the WebSocket only, where the token's expiry, the
    // per-socket caps and the backpressure limit hold (SSE would bypass all three).
    if (namesSubscription(paths))
      return trpcError(405, 'METHOD_NOT_SUPPORTED', 'Subscriptions are served over the WebSocket (/trpc), not over HTTP', cors);
    const path = new URL(req.url).pathname;
    const upload = isUploadRequest(path);
    // Refused before the body is read (and before authentication); an upload in the words the service uses.
    const limit = bodyLimitFor(paths, deps.bodyLimits);
    const limited = await limitBody(req, limit, cors, upload ? uploadTooLargeMessage(services.files.maxUploadBytes) : undefined);
    if (limited instanceof Response) return limited;
    req = limited;
    const ip = server.requestIP(req)?.address ?? 'unknown';
    const res = await fetchRequestHandler({
      endpoint: '/trpc',
      req: upload ? capUploadBody(req, services.files.maxUploadBytes) : req,
      router: appRouter,
      maxBatchSize: LIMITS.httpBatchMax,
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
      metrics.countRequest('upgrade').inc();
      const upgraded = await deps.upgrade(req, server);
      if (upgraded === true) return undefined;
      return upgraded === false ? json({ error: 'not found' }, 404) : upgraded;
    }
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      metrics.countRequest('trpc').inc();
      return trpc(req, server);
    }
    if (path.startsWith('/files/')) {
      metrics.countRequest('files').inc();
      return downloads(req, url);
    }
    if (path === '/healthz') return json({ status: 'ok' });
    if (path === '/readyz') return readiness();
    if (path === '/metrics') {
      if (deps.metricsToken && !bearerMatches(req.headers.get('authorization'), deps.metricsToken))
        return json({ error: 'metrics token required' }, 401, { 'www-authenticate': 'Bearer' });
      return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
    }
    const page = await deps.web?.(req);
    if (page) return page;
    return json({ error: 'not found' }, 404);
  };
}

/** Constant-time comparison of a presented bearer token with the expected one. */
function bearerMatches(header: string | null, expected: string): boolean {
  const presented = bearerToken(header);
  if (!presented) return false;
  const a = new TextEncoder().encode(presented);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
