import { FormEvent, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, User } from '../api';
import { ErrorText, LanguageSwitch, Time } from '../common';
import { timeZones, useLang } from '../i18n';

/**
 * The person's own settings: language and time zone (remembered for this person in this
 * browser), second factor, password.
 */
export function Profile({ user }: { user: User }) {
  const intl = useIntl();
  const { timeZone, setTimeZone } = useLang();
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function changePassword(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    setError(null);
    try {
      await api('POST', '/auth/password', { current, password });
      setCurrent('');
      setPassword('');
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <main className="profile">
      <h1>
        <FormattedMessage id="profile.title" />
      </h1>
      <dl className="facts">
        <dt>
          <FormattedMessage id="profile.username" />
        </dt>
        <dd>{user.username}</dd>
        <dt>
          <FormattedMessage id="profile.role" />
        </dt>
        <dd>
          {intl.formatMessage({ id: `role.${user.role}` })}
          {user.state && ` (${intl.formatMessage({ id: `state.${user.state}` })})`}
        </dd>
        <dt>
          <FormattedMessage id="profile.secondFactor" />
        </dt>
        <dd>
          <FormattedMessage id={user.totpEnrolled ? 'profile.totp.on' : 'profile.totp.off'} />
        </dd>
      </dl>

      <section aria-labelledby="profile-display">
        <h2 id="profile-display">
          <FormattedMessage id="profile.display" />
        </h2>
        <LanguageSwitch />
        <label>
          {intl.formatMessage({ id: 'profile.timeZone' })}
          <select value={timeZone ?? ''} onChange={(e) => setTimeZone(e.target.value || undefined)}>
            <option value="">
              {intl.formatMessage({ id: 'profile.timeZone.browser' }, { zone: browserZone })}
            </option>
            {timeZones().map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        <p>
          <FormattedMessage
            id="profile.timeZone.example"
            values={{ now: <Time at={new Date().toISOString()} /> }}
          />
        </p>
      </section>

      <section aria-labelledby="profile-password">
        <h2 id="profile-password">
          <FormattedMessage id="profile.password" />
        </h2>
        <form onSubmit={(e) => void changePassword(e)}>
          <label>
            {intl.formatMessage({ id: 'profile.password.current' })}
            <input
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
            />
          </label>
          <label>
            {intl.formatMessage({ id: 'profile.password.new' })}
            <input
              type="password"
              autoComplete="new-password"
              minLength={12}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </label>
          <ErrorText error={error} />
          {saved && (
            <p role="status">
              <FormattedMessage id="profile.password.saved" />
            </p>
          )}
          <button type="submit">
            <FormattedMessage id="profile.password.submit" />
          </button>
        </form>
      </section>
    </main>
  );
}
