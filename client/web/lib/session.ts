import type { Session } from '../../index.ts';

const KEY = 'parley.session';

interface Stored {
  session: Session;
  /** When the session was issued (ms since epoch): `expires_in` counts from here. */
  saved_at: number;
}

/** The stored session with `expires_in` adjusted for the time it spent in storage, or null. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const stored = JSON.parse(raw) as Stored;
    const elapsed = Math.floor((Date.now() - stored.saved_at) / 1000);
    return { ...stored.session, expires_in: Math.max(0, stored.session.expires_in - elapsed) };
  } catch {
    return null;
  }
}

/** Stores a fresh (or rotated) session. */
export function saveSession(session: Session): void {
  const stored: Stored = { session, saved_at: Date.now() };
  localStorage.setItem(KEY, JSON.stringify(stored));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}
