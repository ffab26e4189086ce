// Sign-in: login and password for an administrator. The session lives in an httpOnly cookie;
// the answer's CSRF token stays in memory only.
import { formatDuration } from '../format.js';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api.js';
import type { SessionInfo } from '../api-types.js';

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (s: SessionInfo) => void;
  notice?: string;
}) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    document.title = 'Sign in · cratekeeper';
  }, []);
  useEffect(() => {
    if (waitUntil === null) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [waitUntil]);

  const waiting = waitUntil !== null && now < waitUntil ? Math.ceil((waitUntil - now) / 1000) : 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!login.trim() || !password) {
      setError('Enter your login and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = await api.send<SessionInfo>('POST', '/api/admin/session', { login: login.trim(), password });
      setPassword('');
      onSignedIn(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        const secs = err.retryAfter ?? 60;
        setWaitUntil(Date.now() + secs * 1000);
        setNow(Date.now());
        setError('Too many failed attempts. Sign-in is locked');
      } else if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        setError(err.status === 403 ? `Not allowed: ${err.message}` : 'Wrong login or password.');
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin" tabIndex={-1}>
      <form className="signin-card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" /> cratekeeper
        </div>
        <h1 id="signin-title">Sign in to the admin console</h1>
        {notice && <p className="muted">{notice}</p>}
        <div className="field">
          <label htmlFor="login">Login</label>
          <input
            id="login"
            name="login"
            autoComplete="username"
            autoFocus
            value={login}
            onChange={(e) => setLogin(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
            {waiting > 0 && <>: try again in {formatDuration(waiting)}.</>}
          </p>
        )}
        <button type="submit" className="primary wide" disabled={busy || waiting > 0}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">Administrators only. Every sign-in is recorded in the audit log.</p>
      </form>
    </main>
  );
}
