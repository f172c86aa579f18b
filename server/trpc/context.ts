import type { AccessClaims } from '../auth/tokens.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Caller } from '../services/caller.ts';
import type { Services } from '../services/index.ts';

export interface Context {
  services: Services;
  /** The verified caller, or null for anonymous calls. */
  auth: AccessClaims | null;
  /**
   * The caller services see, made once per context: a WebSocket context serves every call on its
   * connection, and each subscription keeps its caller for as long as it is open.
   */
  user: Caller | null;
  /** Why a presented token was refused, reported by authed procedures. */
  authError: string | null;
  /** Client address, for login throttling. */
  ip: string;
  log: Logger;
}

/** Builds a context from an optional bearer token; the same for HTTP requests and WebSocket connections. */
export async function createContextInner(opts: { services: Services; log: Logger; token: string | null; ip: string }): Promise<Context> {
  let auth: AccessClaims | null = null;
  let authError: string | null = null;
  if (opts.token) {
    try {
      auth = await opts.services.tokens.verify(opts.token);
    } catch (err) {
      authError = err instanceof DomainError ? err.message : 'Invalid access token';
    }
  }
  const user = auth && { id: auth.userId, username: auth.username };
  return { services: opts.services, log: opts.log, auth, user, authError, ip: opts.ip };
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | null): string | null {
  const m = header && /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m ? m[1]! : null;
}
