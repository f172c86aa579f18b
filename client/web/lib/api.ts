import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createParleyClient, type AppRouter, type ParleyClient, type Session } from '../../index.ts';
import { loadSession } from './session.ts';

/** The server that served this page. */
export const serverUrl = () => window.location.origin;

/** A client for the calls that need no session (register, log in). */
export function anonymousClient() {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${serverUrl()}/trpc` })] });
}

/**
 * The app's authenticated client: it refreshes the session itself and reports each rotation.
 * Tabs share the stored session and take turns refreshing it (Web Locks), so two tabs never
 * spend the same refresh token.
 */
export function sessionClient(session: Session, hooks: { onSession(s: Session): void; onAuthError(err: unknown): void }): ParleyClient {
  const shared = {
    load: loadSession,
    lock: <T>(work: () => Promise<T>) => (navigator.locks ? navigator.locks.request('parley-session', work) : work()),
  };
  return createParleyClient({ url: serverUrl(), session, shared, onSession: hooks.onSession, onAuthError: hooks.onAuthError });
}

export { errorText, isRetryable } from './errors.ts';

/** A nonce so a retried send does not post the message twice. */
export const nonce = () => crypto.randomUUID();
