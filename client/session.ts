import type { Session } from '../shared/entities.ts';

/** Where the client gets its access token: a fixed token, a callback, or a session it refreshes itself. */
export type TokenSource =
  { token: string } | { getToken: () => string | null | undefined | Promise<string | null | undefined> } | { session: Session };

/** By default refresh this long before expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * When an access token expires: the sooner of its own `exp` claim (a session restored from
 * storage may be hours old, so "now + expires_in" alone would be wrong) and `expires_in`.
 */
export function accessTokenExpiry(session: Session, now = Date.now()): number {
  const byLifetime = now + session.expires_in * 1000;
  try {
    const payload = session.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const exp = (JSON.parse(atob(payload)) as { exp?: unknown }).exp;
    if (typeof exp === 'number') return Math.min(exp * 1000, byLifetime);
  } catch {
    // Not a JWT we can read: trust expires_in.
  }
  return byLifetime;
}

/**
 * Keeps a valid access token. With a session it refreshes ahead of expiry (single-flight: one
 * refresh however many requests ask at once) and reports the rotated session; a failed refresh
 * means the session is over and `onAuthError` is told.
 */
export function createTokenManager(
  source: TokenSource,
  refresh: (refreshToken: string) => Promise<Session>,
  hooks: { onSession?: (s: Session) => void; onAuthError?: (err: unknown) => void; refreshMarginMs?: number } = {},
) {
  const margin = hooks.refreshMarginMs ?? REFRESH_MARGIN_MS;
  let session = 'session' in source ? source.session : null;
  let expiresAt = session ? accessTokenExpiry(session) : 0;
  let refreshing: Promise<string | null> | null = null;
  let stale = false;

  function renew(): Promise<string | null> {
    refreshing ??= (async () => {
      try {
        const next = await refresh(session!.refresh_token);
        session = next;
        expiresAt = accessTokenExpiry(next);
        stale = false;
        hooks.onSession?.(next);
        return next.access_token;
      } catch (err) {
        // The session is over (revoked, or its refresh token spent): stop trying, tell the app once.
        session = null;
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
      if (stale || Date.now() > expiresAt - margin) return renew();
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
