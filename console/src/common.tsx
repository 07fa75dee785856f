import { useEffect, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError } from './api';
import { countdown } from './lib/countdown';
import { Lang, useLang } from './i18n';

export function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const intl = useIntl();
  return (
    <label className="lang">
      {intl.formatMessage({ id: 'lang.label' })}{' '}
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="en">English</option>
        <option value="ru">Русский</option>
      </select>
    </label>
  );
}

/** A problem from the API, said in the chosen language by its type (never its English text). */
export function ErrorText({ error }: { error: unknown }) {
  const intl = useIntl();
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, null);
  const id = e.status === 0 ? 'error.network' : `error.${e.kind}`;
  const known = intl.messages[id] !== undefined;
  return (
    <p role="alert" className="error">
      {known
        ? intl.formatMessage({ id })
        : intl.formatMessage({ id: 'error.generic' }, { status: e.status })}
      {e.problem?.errors && (
        <ul>
          {e.problem.errors.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </p>
  );
}

/** A time in the user's zone, with UTC on hover. */
export function Time({ at }: { at: string | null | undefined }) {
  const intl = useIntl();
  if (!at) return <span>—</span>;
  return (
    <time dateTime={at} title={`${at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} UTC`}>
      {intl.formatDate(at, { dateStyle: 'short', timeStyle: 'short' })}
    </time>
  );
}

/** A live countdown to a deadline; past it, marked in words and colour. */
export function Countdown({ deadline }: { deadline: string | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!deadline) return <span>—</span>;
  const c = countdown(deadline, now);
  return (
    <span className={c.overdue ? 'overdue' : undefined}>
      {c.text}
      {c.overdue && (
        <>
          {' '}
          <FormattedMessage id="queue.quick.overdue" />
        </>
      )}
    </span>
  );
}

const TLP_CLASS: Record<string, string> = {
  'TLP:RED': 'tlp-red',
  'TLP:AMBER+STRICT': 'tlp-amber',
  'TLP:AMBER': 'tlp-amber',
  'TLP:GREEN': 'tlp-green',
  'TLP:CLEAR': 'tlp-clear',
};

/** TLP 2.0 label in its colours; the label itself carries the meaning, not the colour. */
export function TlpLabel({ tlp }: { tlp: string }) {
  return <span className={`tlp ${TLP_CLASS[tlp] ?? ''}`}>{tlp}</span>;
}

/**
 * A key press meant as text (or with a modifier): shortcuts leave it alone.
 */
export function typingIn(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return true;
  const target = e.target as HTMLElement | null;
  return !!target?.closest?.(
    'input, textarea, select, [contenteditable=""], [contenteditable="true"]',
  );
}
