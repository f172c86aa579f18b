import type { Session } from '../shared/entities.ts';

/** Where the client gets its access token: a fixed token, a callback, or a session it refreshes itself. */
export type TokenSource =
  { token: string } | { getToken: () => string | null | undefined | Promise<string | null | undefined> } | { session: Session };

/**
 * A session several clients share (browser tabs over localStorage): where the latest copy is, and
 * a lock so only one of them refreshes at a time (e.g. `navigator.locks.request(name, fn)`).
 */
export interface SharedSession {
  load(): Session | null;
  lock<T>(work: () => Promise<T>): Promise<T>;
}

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
  hooks: { onSession?: (s: Session) => void; onAuthError?: (err: unknown) => void; refreshMarginMs?: number; shared?: SharedSession } = {},
) {
  const margin = hooks.refreshMarginMs ?? REFRESH_MARGIN_MS;
  let session = 'session' in source ? source.session : null;
  let expiresAt = session ? accessTokenExpiry(session) : 0;
  let refreshing: Promise<string | null> | null = null;
  let stale = false;

  function adopt(next: Session) {
    session = next;
    expiresAt = accessTokenExpiry(next);
    stale = false;
  }

  /**
   * Refreshes once, under the shared lock when several clients (browser tabs) share the session:
   * if another one rotated it meanwhile, its session is taken as is. Presenting the old, spent
   * refresh token instead would revoke the whole family and sign everyone out.
   */
  async function rotate(): Promise<string> {
    const shared = hooks.shared?.load();
    if (shared && shared.refresh_token !== session!.refresh_token && accessTokenExpiry(shared) - margin > Date.now()) {
      adopt(shared);
      return shared.access_token;
    }
    const next = await refresh(session!.refresh_token);
    adopt(next);
    hooks.onSession?.(next);
    return next.access_token;
  }

  function renew(): Promise<string | null> {
    refreshing ??= (async () => {
      try {
        return await (hooks.shared ? hooks.shared.lock(rotate) : rotate());
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
