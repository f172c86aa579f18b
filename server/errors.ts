/** Domain errors thrown by services; mapped to tRPC error codes in one place (trpc/errors.ts). */
export type DomainErrorCode =
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'PAYLOAD_TOO_LARGE'
  | 'SERVICE_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Seconds until a throttled caller may retry. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const unauthorized = (message = 'Not authenticated') => new DomainError('UNAUTHORIZED', message);
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const badRequest = (message: string) => new DomainError('BAD_REQUEST', message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new DomainError('TOO_MANY_REQUESTS', message, retryAfterSeconds);
export const payloadTooLarge = (message: string) => new DomainError('PAYLOAD_TOO_LARGE', message);
/** A dependency (file storage) is down or full: the caller may retry later; nothing was kept. */
export const unavailable = (message: string) => new DomainError('SERVICE_UNAVAILABLE', message);
