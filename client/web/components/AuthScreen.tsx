import { useState, type FormEvent } from 'react';
import type { Session } from '../../index.ts';
import { anonymousClient, errorText } from '../lib/api.ts';

/** Log in or register; hands the new session up. */
export function AuthScreen({ onSession }: { onSession(s: Session): void }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const api = anonymousClient();
      const session =
        mode === 'login'
          ? await api.auth.login.mutate({ username, password })
          : await api.auth.register.mutate({ username, password, ...(displayName.trim() ? { display_name: displayName.trim() } : {}) });
      onSession(session);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="card" onSubmit={submit} data-testid="auth-form">
        <h1>Parley</h1>
        <p className="muted">{mode === 'login' ? 'Log in to continue' : 'Create an account'}</p>
        <label>
          Username
          <input data-testid="auth-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        {mode === 'register' && (
          <label>
            Display name <span className="muted">(optional)</span>
            <input data-testid="auth-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          </label>
        )}
        <label>
          Password
          <input
            data-testid="auth-password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button className="primary" data-testid="auth-submit" disabled={busy}>
          {mode === 'login' ? 'Log in' : 'Register'}
        </button>
        <button
          type="button"
          className="link"
          data-testid="auth-mode-toggle"
          onClick={() => setMode(mode === 'login' ? 'register' : 'login')}
        >
          {mode === 'login' ? 'No account? Register' : 'Have an account? Log in'}
        </button>
      </form>
    </main>
  );
}
