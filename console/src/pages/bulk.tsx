import { FormEvent, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Problem, User } from '../api';
import { ErrorText } from '../common';
import { SEVERITIES } from '../vocabulary';

interface Outcome {
  id: string;
  status: number;
  problem?: Problem;
}

type Action =
  { assignee: string } | { transition: { to: string; note?: string } } | { severity: string };

/**
 * One action for every selected incident (research: bulk assign, triage, reject with one
 * note, reclassify; never resolve, which needs a summary each). `POST /incidents/bulk` runs
 * each id through its single route's code; a service without it gets the single routes, four
 * at a time. Either way each id has its own outcome.
 */
export function BulkBar({
  ids,
  user,
  onDone,
}: {
  ids: string[];
  user: User;
  onDone(ids: string[]): void;
}) {
  const intl = useIntl();
  const [note, setNote] = useState('');
  const [severity, setSeverity] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(action: Action) {
    setBusy(true);
    setError(null);
    setOutcomes(null);
    try {
      setOutcomes(await bulk(ids, action));
      onDone(ids);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const reject = (e: FormEvent) => {
    e.preventDefault();
    void run({ transition: { to: 'rejected', note } });
  };
  const failed = outcomes?.filter((o) => o.status >= 300) ?? [];

  return (
    <section className="bulk" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading">
        <FormattedMessage id="bulk.title" values={{ count: ids.length }} />
      </h2>
      <button type="button" disabled={busy} onClick={() => void run({ assignee: user.username })}>
        <FormattedMessage id="bulk.assignMe" />
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() => void run({ transition: { to: 'triaged' } })}
      >
        <FormattedMessage id="bulk.triage" />
      </button>
      <form className="inline" onSubmit={reject}>
        <label>
          {intl.formatMessage({ id: 'bulk.note' })}
          <input
            value={note}
            onChange={(e) => setNote(e.target.value)}
            required
            maxLength={10000}
          />
        </label>
        <button type="submit" disabled={busy}>
          <FormattedMessage id="bulk.reject" />
        </button>
      </form>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run({ severity });
        }}
      >
        <label>
          {intl.formatMessage({ id: 'bulk.severity' })}
          <select value={severity} onChange={(e) => setSeverity(e.target.value)} required>
            <option value="">{intl.formatMessage({ id: 'new.choose' })}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {intl.formatMessage({ id: `severity.${s}` })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          <FormattedMessage id="bulk.reclassify" />
        </button>
      </form>
      <ErrorText error={error} />
      {outcomes && (
        <p role="status">
          <FormattedMessage
            id="bulk.outcome"
            values={{ done: outcomes.length - failed.length, failed: failed.length }}
          />
        </p>
      )}
      {failed.length > 0 && (
        <ul className="bulk-failures">
          {failed.map((o) => (
            <li key={o.id}>
              <ErrorText error={new ApiError(o.status, o.problem ?? null)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

async function bulk(ids: string[], action: Action): Promise<Outcome[]> {
  try {
    const res = await api<{ results: Outcome[] }>('POST', '/incidents/bulk', { ids, ...action });
    return res.results;
  } catch (e) {
    // The route answers 200 with an outcome per id; 404 means this service has no such route.
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  // No bulk route: the single routes, four at a time.
  const outcomes: Outcome[] = [];
  const queue = [...ids];
  const one = async (id: string): Promise<Outcome> => {
    try {
      if ('transition' in action) {
        await api('POST', `/incidents/${id}/transitions`, action.transition);
      } else await api('PATCH', `/incidents/${id}`, action);
      return { id, status: 200 };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return { id, status: e.status, problem: e.problem ?? undefined };
    }
  };
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) outcomes.push(await one(id));
    }),
  );
  return ids.map((id) => outcomes.find((o) => o.id === id)!);
}
