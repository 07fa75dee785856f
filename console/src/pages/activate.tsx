import { FormEvent, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api } from '../api';
import { ErrorText, LanguageSwitch } from '../common';

/** The activation link's page: the one-time token from the link, a new password. */
export function Activate({ token, onDone }: { token: string; onDone(): void }) {
  const intl = useIntl();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await api('POST', '/auth/activate', { token, password });
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <main className="sign-in">
      <LanguageSwitch />
      <h1>
        <FormattedMessage id="activate.title" />
      </h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {intl.formatMessage({ id: 'activate.password' })}
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <ErrorText error={error} />
        <button type="submit">
          <FormattedMessage id="activate.submit" />
        </button>
      </form>
    </main>
  );
}
