import type { Session } from '../shared/entities.ts';

/** Where the client gets its access token: a fixed token, a callback, or a session it refreshes itself. */
export type TokenSource =
  { token: string } | { getToken: () => string | null | undefined | Promise<string | null | undefined> } | { session: Session };

/** Refresh this long before expiry so a request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Keeps a valid access token. With a session it refreshes ahead of expiry (single-flight: one
 * refresh however many requests ask at once) and reports the rotated session; a failed refresh
 * means the session is over and `onAuthError` is told.
 */
export function createTokenManager(
  source: TokenSource,
  refresh: (refreshToken: string) => Promise<Session>,
  hooks: { onSession?: (s: Session) => void; onAuthError?: (err: unknown) => void } = {},
) {
  let session = 'session' in source ? source.session : null;
  let expiresAt = session ? Date.now() + session.expires_in * 1000 : 0;
  let refreshing: Promise<string | null> | null = null;
  let stale = false;

  function renew(): Promise<string | null> {
    refreshing ??= (async () => {
      try {
        const next = await refresh(session!.refresh_token);
        session = next;
        expiresAt = Date.now() + next.expires_in * 1000;
        stale = false;
        hooks.onSession?.(next);
        return next.access_token;
      } catch (err) {
        hooks.onAuthError?.(err);
        return null;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  return {
    /** A token to send now (refreshing first when needed). */
    async get(): Promise<string | null> {
      if ('token' in source) return source.token;
      if ('getToken' in source) return (await source.getToken()) ?? null;
      if (!session) return null;
      if (stale || Date.now() > expiresAt - REFRESH_MARGIN_MS) return renew();
      return session.access_token;
    },
    /** The server refused the token: refresh before the next request. Returns whether a retry can help. */
    invalidate(): boolean {
      if (!session) return false;
      stale = true;
      return true;
    },
    session: () => session,
  };
}

export type TokenManager = ReturnType<typeof createTokenManager>;
