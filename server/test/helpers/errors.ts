import { expect } from 'bun:test';
import { TRPCClientError } from '@trpc/client';

/** A failed call as a client sees it: the tRPC error code, message and, for bad input, the issues. */
export interface WireError {
  code: string;
  httpStatus: number;
  message: string;
  issues?: { path: (string | number)[]; message: string }[];
  retryAfterSeconds?: number;
}

/** Awaits a call that must fail and returns its tRPC error; fails the test if the call succeeds. */
export async function failure(call: Promise<unknown>): Promise<WireError> {
  let value: unknown;
  try {
    value = await call;
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const data = (err.data ?? {}) as Record<string, unknown>;
    return {
      code: String(data.code),
      httpStatus: Number(data.httpStatus),
      message: err.message,
      issues: data.issues as WireError['issues'],
      retryAfterSeconds: data.retry_after_seconds as number | undefined,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(value)?.slice(0, 500)}`);
}

/** Asserts that the call fails with exactly `code` and returns the error. */
export async function expectCode(call: Promise<unknown>, code: string): Promise<WireError> {
  const error = await failure(call);
  // The message rides along so that a wrong code shows why the server refused.
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  return error;
}

/** Asserts a BAD_REQUEST whose `issues` are well-formed `{ path, message }` and include one at `path`. */
export async function expectBadInput(call: Promise<unknown>, path: (string | number)[]): Promise<WireError> {
  const error = await expectCode(call, 'BAD_REQUEST');
  expect(error.httpStatus).toBe(400);
  expect(Array.isArray(error.issues)).toBe(true);
  for (const issue of error.issues!) {
    expect(Array.isArray(issue.path)).toBe(true);
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
  expect(error.issues!.map((i) => i.path)).toContainEqual(path);
  return error;
}

/** The tRPC error code of a failed stock-client call (e.g. `NOT_FOUND`), or 'no error'. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { data?: { code?: string } }).data?.code ?? `no code: ${String(err)}`;
  }
  return 'no error';
}

/** The HTTP status tRPC gives each refusal code (what `error.data.httpStatus` must say). */
export const HTTP_STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
};
