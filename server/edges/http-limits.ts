import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { LIMITS } from '../../shared/limits.ts';
import { appRouter } from '../routers/index.ts';

/**
 * Request-body limits of the HTTP edge, per tRPC procedure: LIMITS.requestBodyMaxBytes (1 MiB)
 * for everything but the routes listed here. The upload path registers its own limit here
 * (hook for `files.upload`, which sets it from MAX_UPLOAD_BYTES). A batch gets the largest
 * limit among its procedures.
 */
export type BodyLimits = Record<string, number>;

export const DEFAULT_BODY_LIMITS: BodyLimits = {};

/** The procedure paths a `/trpc/<a>,<b>` URL names (empty for `/trpc` itself). */
export function procedurePaths(pathname: string): string[] {
  const rest = pathname.slice('/trpc/'.length);
  if (!pathname.startsWith('/trpc/') || !rest) return [];
  return decodeURIComponent(rest).split(',');
}

export function bodyLimitFor(paths: string[], limits: BodyLimits = DEFAULT_BODY_LIMITS): number {
  return Math.max(LIMITS.requestBodyMaxBytes, ...paths.map((p) => limits[p] ?? 0));
}

/**
 * Bun.serve's own `maxRequestBodySize`, a backstop behind the per-route checks: Bun refuses a
 * larger declared body itself, with a plain 413 instead of a tRPC error. It sits well above the
 * largest route limit so that clients normally get the tRPC-shaped PAYLOAD_TOO_LARGE from the
 * edge; nothing reads a body past its route's limit either way.
 */
export const bunBodyBackstop = (limits: BodyLimits = DEFAULT_BODY_LIMITS) =>
  Math.max(16 * 1024 * 1024, 2 * Math.max(LIMITS.requestBodyMaxBytes, ...Object.values(limits)));

/** Whether any of `paths` is a subscription: those are served over the WebSocket only. */
export function namesSubscription(paths: string[]): boolean {
  const procedures = appRouter._def.procedures as Record<string, { _def?: { type?: string } } | undefined>;
  return paths.some((p) => procedures[p]?._def?.type === 'subscription');
}

/** A tRPC-shaped error response (what httpLink/httpBatchLink parse), for refusals made before tRPC runs. */
export function trpcError(
  status: number,
  code: 'PAYLOAD_TOO_LARGE' | 'METHOD_NOT_SUPPORTED' | 'BAD_REQUEST',
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body = { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status } } };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * The request with its body read, or a 413 (saying `message`) once the body passes `limit`: a declared
 * Content-Length is refused before one byte is read, a chunked body as soon as it passes.
 */
export async function limitBody(
  req: Request,
  limit: number,
  headers: Record<string, string> = {},
  message = `Request bodies are at most ${limit} bytes`,
): Promise<Request | Response> {
  const tooLarge = () => trpcError(413, 'PAYLOAD_TOO_LARGE', message, { ...headers, connection: 'close' });
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return tooLarge();
  if (!req.body || req.method === 'GET' || req.method === 'HEAD') return req;
  if (declared !== null) return req; // Bun stops reading at the declared length.
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      return tooLarge();
    }
    chunks.push(value);
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body: Buffer.concat(chunks), signal: req.signal });
}
