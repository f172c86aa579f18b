import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Session } from '../index.ts';
import { AuthScreen } from './components/AuthScreen.tsx';
import { Workspace } from './components/Workspace.tsx';
import { sessionClient } from './lib/api.ts';
import { clearSession, loadSession, saveSession } from './lib/session.ts';

/** Signed out: the login form. Signed in: the workspace, over a client that keeps the stored session fresh. */
export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const userId = session?.user.id ?? null;

  const signOut = useCallback(() => {
    clearSession();
    setSession(null);
  }, []);

  // One client per signed-in user; rotations are stored, not turned into new clients.
  const api = useMemo(() => (session ? sessionClient(session, { onSession: saveSession, onAuthError: signOut }) : null), [userId, signOut]);
  useEffect(() => () => api?.close(), [api]);

  if (!session || !api) {
    return (
      <AuthScreen
        onSession={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }

  async function logout() {
    const refresh_token = loadSession()?.refresh_token;
    if (refresh_token) await api!.auth.logout.mutate({ refresh_token }).catch(() => {});
    signOut();
  }

  return <Workspace key={session.user.id} api={api} me={session.user} onLogout={logout} />;
}
