import { FormEvent, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Me } from '../api';
import { ErrorText, LanguageSwitch } from '../common';

/**
 * Username, password and, when the service asks for it, a one-time code; and single sign-on
 * when the service has it (a link: the browser goes to the provider and comes back signed in).
 */
export function SignIn({
  onSignedIn,
  singleSignOn,
}: {
  onSignedIn(me: Me): void;
  singleSignOn: boolean;
}) {
  const intl = useIntl();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('POST', '/auth/login', {
        username,
        password,
        ...(needCode ? { code } : {}),
      });
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'second-factor-required') {
        if (needCode) setError(err);
        setNeedCode(true);
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <LanguageSwitch />
      <h1>
        <FormattedMessage id="signin.title" />
      </h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {intl.formatMessage({ id: 'signin.username' })}
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          {intl.formatMessage({ id: 'signin.password' })}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {needCode && (
          <>
            <p>
              <FormattedMessage id="signin.codeNeeded" />
            </p>
            <label>
              {intl.formatMessage({ id: 'signin.code' })}
              <input
                name="code"
                autoComplete="one-time-code"
                inputMode="numeric"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                autoFocus
                required
              />
            </label>
          </>
        )}
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          {intl.formatMessage({ id: 'signin.submit' })}
        </button>
      </form>
      {singleSignOn && (
        <p className="sso">
          <a className="button" href="/api/v1/auth/oidc/login">
            <FormattedMessage id="signin.sso" />
          </a>
        </p>
      )}
    </main>
  );
}
