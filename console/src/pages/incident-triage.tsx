import { useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useIntl } from 'react-intl';
import { api, Incident, Page } from '../api';
import { useLang } from '../i18n';
import { SECTORS, SEVERITIES, useTaxonomy } from '../vocabulary';

/**
 * A coordinator's reclassification and assignment of one incident (`PATCH`): severity,
 * category, sector, and the assignee chosen among the active coordinators and admins.
 */
export function Triage({
  incident,
  onPatch,
}: {
  incident: Incident;
  onPatch(body: Record<string, unknown>): void;
}) {
  const intl = useIntl();
  const { lang } = useLang();
  const taxonomy = useTaxonomy();
  const people = useQuery({
    queryKey: ['users', 'coordinators'],
    queryFn: () =>
      api<Page<{ username: string; displayName: string; disabled: boolean }>>(
        'GET',
        '/users?role=coordinator&limit=200',
      ),
    staleTime: 60_000,
  });
  const [severity, setSeverity] = useState(incident.severity);
  const [category, setCategory] = useState(incident.category);
  const [sector, setSector] = useState(incident.sector);
  const [assignee, setAssignee] = useState(incident.assignee ?? '');
  const categories = taxonomy.data?.rsit.classes.flatMap((c) =>
    c.categories.map((t) => ({ value: t.value, label: `${c.label[lang]}: ${t.label[lang]}` })),
  );
  const changed = {
    ...(severity !== incident.severity ? { severity } : {}),
    ...(category !== incident.category ? { category } : {}),
    ...(sector !== incident.sector ? { sector } : {}),
    ...(assignee !== (incident.assignee ?? '') ? { assignee: assignee || null } : {}),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(changed).length > 0) onPatch(changed);
  };
  const coordinators = (people.data?.items ?? []).filter((p) => !p.disabled);
  return (
    <form
      className="triage"
      onSubmit={submit}
      aria-label={intl.formatMessage({ id: 'triage.title' })}
    >
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
      <label>
        {intl.formatMessage({ id: 'incident.category' })}
        {categories ? (
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            {categories.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        ) : (
          <input
            value={category}
            onChange={(e) => setCategory(e.target.value.trim())}
            pattern="[a-z\-]+/[a-z\-]+"
            required
          />
        )}
      </label>
      <label>
        {intl.formatMessage({ id: 'incident.sector' })}
        <select value={sector} onChange={(e) => setSector(e.target.value)}>
          {SECTORS.map((s) => (
            <option key={s} value={s}>
              {intl.formatMessage({ id: `sector.${s}` })}
            </option>
          ))}
        </select>
      </label>
      <label>
        {intl.formatMessage({ id: 'incident.assignee' })}
        <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
          <option value="">{intl.formatMessage({ id: 'incident.unassigned' })}</option>
          {incident.assignee && !coordinators.some((c) => c.username === incident.assignee) && (
            <option value={incident.assignee}>{incident.assignee}</option>
          )}
          {coordinators.map((c) => (
            <option key={c.username} value={c.username}>
              {c.displayName && c.displayName !== c.username
                ? `${c.displayName} (${c.username})`
                : c.username}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={Object.keys(changed).length === 0}>
        {intl.formatMessage({ id: 'triage.save' })}
      </button>
    </form>
  );
}
