import { TRPCError, type TRPCErrorShape } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { isUnstorableText } from '../db/errors.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** A validation problem as clients see it in `error.data.issues`. */
export interface WireIssue {
  path: (string | number)[];
  message: string;
}

/** Zod issues from a failed input parse (zod 4's error may arrive wrapped by tRPC). */
function zodIssues(cause: unknown): WireIssue[] | undefined {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((i: { path?: PropertyKey[]; message?: string }) => ({
    path: (i.path ?? []).map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message ?? 'Invalid',
  }));
}

/** Turns a service's DomainError into the matching tRPC error; anything else passes through. */
export function toTRPCError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof DomainError) return new TRPCError({ code: cause.code as TRPC_ERROR_CODE_KEY, message: cause.message, cause });
  if (isUnstorableText(cause)) return new TRPCError({ code: 'BAD_REQUEST', message: 'Input contains characters that cannot be stored' });
  return error;
}

type Shape = TRPCErrorShape & { data: Record<string, unknown> };

/**
 * The one error formatter: validation failures list their issues, throttles say when to retry,
 * and unexpected errors are logged here and reach clients only as "Internal server error".
 */
export function formatError({ shape, error, path, ctx }: { shape: Shape; error: TRPCError; path?: string; ctx?: { log: Logger } }) {
  const data: Record<string, unknown> = { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path };
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    ctx?.log.error('unhandled error', { path, error: error.cause ?? error });
    return { ...shape, message: 'Internal server error', data };
  }
  if (error.code === 'BAD_REQUEST') {
    const issues = zodIssues(error.cause);
    if (issues)
      return { ...shape, message: issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '), data: { ...data, issues } };
  }
  if (error.cause instanceof DomainError && error.cause.retryAfterSeconds) data.retry_after_seconds = error.cause.retryAfterSeconds;
  return { ...shape, data };
}
