import { FormEvent, useEffect, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api } from '../api';
import { ErrorText } from '../common';

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/** First sign-in of a role that needs a second factor: QR code, confirm, recovery codes. */
export function Enrol({ onDone }: { onDone(): void }) {
  const intl = useIntl();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api<Enrolment>('POST', '/auth/totp', {}).then(setEnrolment, setError);
  }, []);

  async function confirm(e: FormEvent) {
    e.preventDefault();
    try {
      const res = await api<{ recoveryCodes: string[] }>('POST', '/auth/totp/confirm', { code });
      setRecovery(res.recoveryCodes);
    } catch (err) {
      setError(err);
    }
  }

  if (recovery) {
    return (
      <main className="enrol">
        <h1>
          <FormattedMessage id="enrol.title" />
        </h1>
        <p>
          <FormattedMessage id="enrol.recovery" />
        </p>
        <ul className="recovery">
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={onDone}>
          <FormattedMessage id="enrol.done" />
        </button>
      </main>
    );
  }
  return (
    <main className="enrol">
      <h1>
        <FormattedMessage id="enrol.title" />
      </h1>
      <p>
        <FormattedMessage id="enrol.intro" />
      </p>
      {enrolment && (
        <>
          <img
            className="qr"
            alt="otpauth QR"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
          />
          <p>
            <FormattedMessage
              id="enrol.secret"
              values={{ secret: <code>{enrolment.secret}</code> }}
            />
          </p>
        </>
      )}
      <form onSubmit={(e) => void confirm(e)}>
        <label>
          {intl.formatMessage({ id: 'signin.code' })}
          <input
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
          />
        </label>
        <ErrorText error={error} />
        <button type="submit">
          <FormattedMessage id="enrol.confirm" />
        </button>
      </form>
    </main>
  );
}
