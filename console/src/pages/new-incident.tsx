import { useNavigate } from '@tanstack/react-router';
import { FormEvent, useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, Incident, User } from '../api';
import { ErrorText } from '../common';
import { useLang } from '../i18n';
import { extractIndicators } from '../lib/indicators';
import { SECTORS, SEVERITIES, STATES, TLPS, useTaxonomy } from '../vocabulary';

/**
 * Filing an incident: RSIT picker with descriptions, TLP in plain words, observables pasted
 * as free text (extracted and refanged here, normalised by the service), and one
 * Idempotency-Key per form so a double submission files once.
 */
export function NewIncident({ user }: { user: User }) {
  const intl = useIntl();
  const { lang } = useLang();
  const navigate = useNavigate();
  const taxonomy = useTaxonomy();
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [rsitClass, setRsitClass] = useState('');
  const [category, setCategory] = useState('');
  const [severity, setSeverity] = useState('medium');
  const [tlp, setTlp] = useState('TLP:AMBER');
  const [sector, setSector] = useState('');
  const [reportingState, setReportingState] = useState('');
  const [affected, setAffected] = useState<string[]>([]);
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const indicators = useMemo(() => extractIndicators(pasted), [pasted]);
  const classes = taxonomy.data?.rsit.classes;
  const chosenClass = classes?.find((c) => c.value === rsitClass);
  const chosenCategory = chosenClass?.categories.find((c) => c.value === category);
  const coordinator = user.role === 'coordinator';

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api<Incident>(
        'POST',
        '/incidents',
        {
          title,
          ...(description ? { description } : {}),
          category,
          severity,
          tlp,
          sector,
          ...(coordinator ? { reportingState } : {}),
          ...(affected.length ? { affectedStates: affected } : {}),
          ...(indicators.length ? { observables: indicators } : {}),
        },
        { 'idempotency-key': idempotencyKey },
      );
      void navigate({ to: '/incidents/$id', params: { id: created.id } });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main className="new-incident">
      <h1>
        <FormattedMessage id="new.title" />
      </h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {intl.formatMessage({ id: 'new.field.title' })}
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            maxLength={300}
          />
        </label>
        <label>
          {intl.formatMessage({ id: 'new.field.description' })}
          <textarea
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={20000}
            rows={4}
          />
        </label>
        {classes ? (
          <fieldset>
            <legend>{intl.formatMessage({ id: 'new.field.category' })}</legend>
            <label>
              {intl.formatMessage({ id: 'new.field.class' })}
              <select
                value={rsitClass}
                onChange={(e) => {
                  setRsitClass(e.target.value);
                  setCategory('');
                }}
                required
              >
                <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
                {classes.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label[lang]}
                  </option>
                ))}
              </select>
            </label>
            {chosenClass?.description && <p className="hint">{chosenClass.description[lang]}</p>}
            <label>
              {intl.formatMessage({ id: 'new.field.type' })}
              <select
                value={category}
                onChange={(e) => setCategory(e.target.value)}
                required
                disabled={!chosenClass}
              >
                <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
                {chosenClass?.categories.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label[lang]}
                  </option>
                ))}
              </select>
            </label>
            {chosenCategory?.description && (
              <p className="hint">{chosenCategory.description[lang]}</p>
            )}
          </fieldset>
        ) : (
          <label>
            {intl.formatMessage({ id: 'new.field.categoryText' })}
            <input
              value={category}
              onChange={(e) => setCategory(e.target.value.trim())}
              required
              pattern="[a-z\-]+/[a-z\-]+"
              placeholder="fraud/phishing"
              disabled={taxonomy.isLoading}
            />
          </label>
        )}
        <label>
          {intl.formatMessage({ id: 'incident.severity' })}
          <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {intl.formatMessage({ id: `severity.${s}` })}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="tlp-choice">
          <legend>{intl.formatMessage({ id: 'new.field.tlp' })}</legend>
          {TLPS.map((t) => (
            <label key={t} className="radio">
              <input
                type="radio"
                name="tlp"
                value={t}
                checked={tlp === t}
                onChange={() => setTlp(t)}
              />
              <span>
                <strong>{t}</strong> — {intl.formatMessage({ id: `tlp.explain.${t}` })}
              </span>
            </label>
          ))}
        </fieldset>
        <label>
          {intl.formatMessage({ id: 'incident.sector' })}
          <select value={sector} onChange={(e) => setSector(e.target.value)} required>
            <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
            {SECTORS.map((s) => (
              <option key={s} value={s}>
                {intl.formatMessage({ id: `sector.${s}` })}
              </option>
            ))}
          </select>
        </label>
        {coordinator && (
          <label>
            {intl.formatMessage({ id: 'incident.reportingState' })}
            <select
              value={reportingState}
              onChange={(e) => setReportingState(e.target.value)}
              required
            >
              <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {intl.formatMessage({ id: `state.${s}` })}
                </option>
              ))}
            </select>
          </label>
        )}
        <fieldset>
          <legend>{intl.formatMessage({ id: 'new.field.affected' })}</legend>
          {STATES.filter((s) => s !== user.state).map((s) => (
            <label key={s} className="radio">
              <input
                type="checkbox"
                checked={affected.includes(s)}
                onChange={(e) =>
                  setAffected((a) => (e.target.checked ? [...a, s] : a.filter((x) => x !== s)))
                }
              />
              {intl.formatMessage({ id: `state.${s}` })}
            </label>
          ))}
        </fieldset>
        <label>
          {intl.formatMessage({ id: 'new.field.observables' })}
          <textarea
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            rows={5}
            aria-describedby="observables-hint"
          />
        </label>
        <p id="observables-hint" className="hint">
          <FormattedMessage id="new.observables.hint" />
        </p>
        <section aria-labelledby="found-heading">
          <h2 id="found-heading">
            <FormattedMessage id="new.found" values={{ count: indicators.length }} />
          </h2>
          {indicators.length > 0 && (
            <table aria-labelledby="found-heading">
              <thead>
                <tr>
                  <th scope="col">
                    <FormattedMessage id="new.found.type" />
                  </th>
                  <th scope="col">
                    <FormattedMessage id="new.found.value" />
                  </th>
                </tr>
              </thead>
              <tbody>
                {indicators.map((i) => (
                  <tr key={`${i.type}|${i.value}`}>
                    <td>{i.type}</td>
                    <td>
                      <code>{i.value}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <ErrorText error={error} />
        <button type="submit" disabled={busy}>
          {intl.formatMessage({ id: 'new.submit' })}
        </button>
      </form>
    </main>
  );
}
