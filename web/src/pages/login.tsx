import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';

/** The only thing shown without a session: a token field. The token becomes an HttpOnly cookie. */
export function Login({ message, onSignedIn }: { message?: string | undefined; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.login(token.trim());
      setToken('');
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'That token is not known to this collector.' : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form class="login-card" onSubmit={submit} aria-describedby="login-help">
        <h1>
          <span class="brand-mark" aria-hidden="true">
            ▲
          </span>{' '}
          ktriage
        </h1>
        <p id="login-help" class="muted">
          Sign in with a read or admin token of this collector (<code>ktriage token create --scope read</code>).
        </p>
        {message && !error && <p class="notice" role="status">{message}</p>}
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required value={token} onInput={(e) => setToken(e.currentTarget.value)} autofocus />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
