import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { FormEvent, useEffect, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, Incident, Page, TimelineEvent, User } from '../api';
import { Countdown, ErrorText, Time, TlpLabel, typingIn } from '../common';
import { defang } from '../lib/indicators';
import { Attachments } from './incident-attachments';
import { useCategoryName } from '../vocabulary';
import { Triage } from './incident-triage';

/** The state machine as the contract gives it; the server decides, this only offers. */
const NEXT: Record<string, string[]> = {
  new: ['triaged', 'rejected', 'duplicate'],
  triaged: ['in_progress', 'rejected', 'duplicate'],
  in_progress: ['resolved', 'rejected', 'duplicate'],
  resolved: ['closed', 'in_progress'],
};

export function IncidentPage({ user }: { user: User }) {
  const { id } = useParams({ from: '/incidents/$id' });
  const intl = useIntl();
  const client = useQueryClient();
  const categoryName = useCategoryName();
  const incident = useQuery({
    queryKey: ['incident', id],
    queryFn: () => api<Incident>('GET', `/incidents/${id}`),
  });
  const timeline = useQuery({
    queryKey: ['incident', id, 'timeline'],
    queryFn: () => api<Page<TimelineEvent>>('GET', `/incidents/${id}/timeline?limit=200`),
  });
  const related = useQuery({
    queryKey: ['incident', id, 'related'],
    queryFn: () => api<Page<{ incident: Incident }>>('GET', `/incidents/${id}/related`),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['incident', id] });
  const act = useMutation({
    mutationFn: ({ method, path, body }: { method: string; path: string; body?: unknown }) =>
      api(method, path, body),
    onSuccess: refresh,
  });
  const commentRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e)) return;
      if (e.key === 'c') {
        e.preventDefault();
        commentRef.current?.focus();
      } else if (e.key === 'a' && user.role === 'coordinator') {
        act.mutate({
          method: 'PATCH',
          path: `/incidents/${id}`,
          body: { assignee: user.username },
        });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (incident.error) return <ErrorText error={incident.error} />;
  const i = incident.data;
  if (!i) return null;
  const mine =
    user.role === 'analyst' ? i.dispatches.find((d) => d.state === user.state) : undefined;

  return (
    <main className="incident">
      <div className={`tlp-banner ${i.tlp.replace(/[:+]/g, '-').toLowerCase()}`} role="note">
        <TlpLabel tlp={i.tlp} />
      </div>
      <h1>{i.reference}</h1>
      <p className="title">{i.title}</p>
      <dl className="facts">
        <dt>
          <FormattedMessage id="incident.status" />
        </dt>
        <dd>{intl.formatMessage({ id: `status.${i.status}` })}</dd>
        <dt>
          <FormattedMessage id="incident.severity" />
        </dt>
        <dd>{intl.formatMessage({ id: `severity.${i.severity}` })}</dd>
        <dt>
          <FormattedMessage id="incident.category" />
        </dt>
        <dd>
          {categoryName(i.category)} <code>{i.category}</code>
        </dd>
        <dt>
          <FormattedMessage id="incident.sector" />
        </dt>
        <dd>{intl.formatMessage({ id: `sector.${i.sector}` })}</dd>
        <dt>
          <FormattedMessage id="incident.reportingState" />
        </dt>
        <dd>{i.reportingState}</dd>
        <dt>
          <FormattedMessage id="incident.assignee" />
        </dt>
        <dd>
          {i.assignee ?? <FormattedMessage id="incident.unassigned" />}{' '}
          {user.role === 'coordinator' && i.assignee !== user.username && (
            <button
              type="button"
              onClick={() =>
                act.mutate({
                  method: 'PATCH',
                  path: `/incidents/${id}`,
                  body: { assignee: user.username },
                })
              }
            >
              <FormattedMessage id="incident.assignMe" />
            </button>
          )}
        </dd>
        <dt>
          <FormattedMessage id="incident.created" />
        </dt>
        <dd>
          <Time at={i.createdAt} />
        </dd>
      </dl>
      {i.description && (
        <section aria-labelledby="section-description">
          <h2 id="section-description">
            <FormattedMessage id="incident.description" />
          </h2>
          <p className="description">{i.description}</p>
        </section>
      )}
      <ErrorText error={act.error} />
      {mine && mine.status !== 'acknowledged' && (
        <button
          type="button"
          onClick={() => act.mutate({ method: 'POST', path: `/incidents/${id}/acknowledgements` })}
        >
          {intl.formatMessage({ id: 'incident.acknowledge' })}
        </button>
      )}
      {user.role === 'coordinator' && (
        <Triage
          key={i.updatedAt}
          incident={i}
          onPatch={(body) => act.mutate({ method: 'PATCH', path: `/incidents/${id}`, body })}
        />
      )}
      {user.role === 'coordinator' && NEXT[i.status] && (
        <Transitions
          to={NEXT[i.status]}
          onApply={(body) =>
            act.mutate({ method: 'POST', path: `/incidents/${id}/transitions`, body })
          }
        />
      )}
      <section aria-labelledby="section-dispatches">
        <h2 id="section-dispatches">
          <FormattedMessage id="incident.dispatches" />
        </h2>
        <table aria-labelledby="section-dispatches">
          <thead>
            <tr>
              {['state', 'status', 'notified', 'acknowledged', 'level', 'deadline'].map((c) => (
                <th key={c} scope="col">
                  <FormattedMessage id={`incident.dispatch.${c}`} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {i.dispatches.map((d) => (
              <tr key={d.state}>
                <td>{d.state}</td>
                <td>{intl.formatMessage({ id: `dispatch.${d.status}` })}</td>
                <td>
                  <Time at={d.notifiedAt} />
                </td>
                <td>
                  <Time at={d.acknowledgedAt} />
                </td>
                <td>{d.escalationLevel}</td>
                <td>
                  <Countdown deadline={d.deadlineAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="section-observables">
        <h2 id="section-observables">
          <FormattedMessage id="incident.observables" />
        </h2>
        <ul className="observables">
          {i.observables.map((o) => (
            <li key={`${o.type}|${o.value}`}>
              <span className="type">{o.type}</span> <code>{defang(o.value)}</code>{' '}
              <button
                type="button"
                aria-label={intl.formatMessage({ id: 'incident.copy' }, { value: defang(o.value) })}
                onClick={() => void navigator.clipboard?.writeText(o.value)}
              >
                <FormattedMessage id="incident.copyButton" />
              </button>
            </li>
          ))}
        </ul>
      </section>
      <Attachments incident={i} user={user} />
      <section aria-labelledby="section-related">
        <h2 id="section-related">
          <FormattedMessage id="incident.related" />
        </h2>
        {related.data?.items.length ? (
          <ul>
            {related.data.items.map((r) => (
              <li key={r.incident.id}>
                <a href={`/console/incidents/${r.incident.id}`}>{r.incident.reference}</a>{' '}
                {r.incident.title}
              </li>
            ))}
          </ul>
        ) : (
          <p>
            <FormattedMessage id="incident.none" />
          </p>
        )}
      </section>
      <section aria-labelledby="section-timeline">
        <h2 id="section-timeline">
          <FormattedMessage id="incident.timeline" />
        </h2>
        <ol className="timeline">
          {timeline.data?.items.map((t) => (
            <li key={t.id}>
              <Time at={t.at} />{' '}
              <strong>
                {intl.formatMessage({ id: `timeline.${t.type}`, defaultMessage: t.type })}
              </strong>{' '}
              <span className="actor">{t.actor}</span>
              {t.type.startsWith('attach') && typeof t.data.filename === 'string' && (
                <>
                  {' '}
                  <span className="filename">{t.data.filename}</span>
                </>
              )}
              {t.type === 'commented' && (
                <p className="comment">{typeof t.data.body === 'string' ? t.data.body : ''}</p>
              )}
            </li>
          ))}
        </ol>
        <CommentForm
          inputRef={commentRef}
          onAdd={(body) =>
            act.mutateAsync({ method: 'POST', path: `/incidents/${id}/comments`, body: { body } })
          }
        />
      </section>
    </main>
  );
}

function Transitions({
  to,
  onApply,
}: {
  to: string[];
  onApply(body: Record<string, unknown>): void;
}) {
  const intl = useIntl();
  const [target, setTarget] = useState(to[0]);
  const [note, setNote] = useState('');
  const [summary, setSummary] = useState('');
  const [lessons, setLessons] = useState('');
  const [duplicateOf, setDuplicateOf] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({
      to: target,
      ...(note ? { note } : {}),
      ...(target === 'resolved'
        ? { resolution: { summary, ...(lessons ? { lessonsLearned: lessons } : {}) } }
        : {}),
      ...(target === 'duplicate' ? { duplicateOf } : {}),
    });
  };
  return (
    <form className="transition" onSubmit={submit}>
      <label>
        {intl.formatMessage({ id: 'incident.transitions' })}{' '}
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          {to.map((s) => (
            <option key={s} value={s}>
              {intl.formatMessage({ id: `status.${s}` })}
            </option>
          ))}
        </select>
      </label>
      <label>
        {intl.formatMessage({ id: 'incident.transition.note' })}
        <input
          value={note}
          onChange={(e) => setNote(e.target.value)}
          required={target === 'rejected'}
        />
      </label>
      {target === 'resolved' && (
        <>
          <label>
            {intl.formatMessage({ id: 'incident.transition.summary' })}
            <textarea value={summary} onChange={(e) => setSummary(e.target.value)} required />
          </label>
          <label>
            {intl.formatMessage({ id: 'incident.transition.lessons' })}
            <textarea value={lessons} onChange={(e) => setLessons(e.target.value)} />
          </label>
        </>
      )}
      {target === 'duplicate' && (
        <label>
          {intl.formatMessage({ id: 'incident.transition.duplicateOf' })}
          <input value={duplicateOf} onChange={(e) => setDuplicateOf(e.target.value)} required />
        </label>
      )}
      <button type="submit">{intl.formatMessage({ id: 'incident.transition.apply' })}</button>
    </form>
  );
}

function CommentForm({
  onAdd,
  inputRef,
}: {
  onAdd(body: string): Promise<unknown>;
  inputRef: React.RefObject<HTMLTextAreaElement | null>;
}) {
  const intl = useIntl();
  const [body, setBody] = useState('');
  return (
    <form
      className="comment-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onAdd(body).then(() => setBody(''));
      }}
    >
      <label>
        {intl.formatMessage({ id: 'incident.comment' })}
        <textarea
          ref={inputRef}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          required
          maxLength={10000}
        />
      </label>
      <button type="submit">{intl.formatMessage({ id: 'incident.addComment' })}</button>
    </form>
  );
}
