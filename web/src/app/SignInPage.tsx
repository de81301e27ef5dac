/** Sign-in with an API key, or with a one-time link from the admin CLI (`/app/sign-in#token=…`). */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiFailure, call } from '../api/client';
import { plainMessage } from '../lib/api-errors';
import { ErrorBanner, Field } from './components';
import type { Tenant } from './session';

export function SignInPage({ onSignedIn, next }: { onSignedIn: (t: Tenant) => void; next: string | null }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signIn = async (body: { apiKey: string } | { signInToken: string }) => {
    setBusy(true);
    setError(null);
    try {
      const session = await call(api.POST('/v1/session', { body }), { quiet401: true });
      onSignedIn(session.tenant);
    } catch (e) {
      const failure = e as ApiFailure;
      setError(failure.status === 401 ? ('apiKey' in body ? 'This API key is not valid, or it was revoked.' : 'This sign-in link is not valid any more. Ask for a new one.') : plainMessage(failure.error));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (token) {
      history.replaceState(null, '', location.pathname + location.search);
      void signIn({ signInToken: token });
    }
    if (next && location.pathname !== '/app/sign-in') history.replaceState(null, '', `/app/sign-in?next=${encodeURIComponent(next)}`);
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!apiKey.trim()) return setError('Enter your API key.');
    void signIn({ apiKey: apiKey.trim() });
  };
  return (
    <main className="sign-in">
      <h1>Sign in to Payment Center</h1>
      <form onSubmit={submit} noValidate>
        <Field label="API key" hint="An API key of your account (pc_…), from your administrator.">
          {({ id, describedBy }) => <input id={id} type="password" autoComplete="current-password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} aria-describedby={describedBy} />}
        </Field>
        <ErrorBanner message={error} />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
