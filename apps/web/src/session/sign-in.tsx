// The sign-in gate: a token is accepted once the server says whose it is (tokens.whoami). A token kept
// from earlier in this tab is tried silently first, so a reload does not ask again.
import { useEffect, useState, type FormEvent } from 'react';
import type { PrincipalInfo } from '@spk/common';
import { createApiClient } from '../api/client.ts';
import { describeApiError, type ApiFailure } from '../api/errors.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { TOKEN_STORAGE_KEY } from './session.tsx';

export type WhoAmI = (token: string) => Promise<PrincipalInfo>;

const askServer: WhoAmI = (token) => createApiClient(token).tokens.whoami();

export interface SignInProps {
  onSignedIn(token: string, principal: PrincipalInfo): void;
  /** Who a token belongs to; the server unless a test passes a stand-in. */
  whoami?: WhoAmI;
}

function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

export function SignIn({ onSignedIn, whoami = askServer }: SignInProps) {
  const [token, setToken] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [restoring, setRestoring] = useState(() => savedToken() !== null);

  useEffect(() => {
    const saved = savedToken();
    if (saved === null) return;
    let live = true;
    whoami(saved).then(
      (principal) => live && onSignedIn(saved, principal),
      (failure: unknown) => {
        if (!live) return;
        const described = describeApiError(failure);
        // A server that is down says nothing about the token: keep it for the next attempt.
        if (described.code !== 'UNREACHABLE') sessionStorage.removeItem(TOKEN_STORAGE_KEY);
        setError({ ...described, message: `The saved token was not accepted: ${described.message}` });
        setRestoring(false);
      },
    );
    return () => {
      live = false;
    };
    // Only on load: later sign-ins go through the form.
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const entered = token.trim();
    if (!entered) {
      setError({ code: 'INVALID_INPUT', message: 'Enter an API token: paste the admin token or one made with "spk tokens create".', issues: [] });
      return;
    }
    setPending(true);
    setError(null);
    try {
      const principal = await whoami(entered);
      sessionStorage.setItem(TOKEN_STORAGE_KEY, entered);
      onSignedIn(entered, principal);
    } catch (failure) {
      setError(describeApiError(failure));
      setPending(false);
    }
  }

  if (restoring) {
    return (
      <p role="status" className="muted">
        Signing in with the token saved in this tab…
      </p>
    );
  }
  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title" noValidate>
      <h1 id="sign-in-title">Sign in</h1>
      <div className="form-row">
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby="api-token-help"
          aria-invalid={error ? true : undefined}
        />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={pending} aria-busy={pending || undefined}>
          Sign in
        </button>
      </div>
      <ErrorText failure={error} />
      <div id="api-token-help" className="help">
        <p>
          The admin token is in <code>&lt;data dir&gt;/admin-token</code> on the server (the data dir is <code>--data-dir</code>, else{' '}
          <code>SPK_DATA_DIR</code>, else <code>./.data</code>), unless the server was started with <code>SPK_ADMIN_TOKEN</code>.
        </p>
        <p>
          A token that may only look: <code>spk tokens create &lt;name&gt; --read-only</code>.
        </p>
        <p>The token is kept in this tab only, until it closes or you sign out.</p>
      </div>
    </form>
  );
}
