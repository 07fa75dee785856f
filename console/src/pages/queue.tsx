import { InfiniteData, QueryClient, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Dispatch, Incident, Page, User } from '../api';
import { Countdown, ErrorText, Time, TlpLabel, typingIn } from '../common';
import {
  analystQuickFilters,
  applyQuick,
  Filters,
  fromSearch,
  NO_FILTERS,
  QUICK_FILTERS,
  quickOf,
  toSearch,
} from '../lib/filters';
import { LiveEvent, useLiveEvents } from '../live';
import { SEVERITIES, STATUSES, TLPS } from '../vocabulary';
import { BulkBar } from './bulk';

const SORTS = ['-createdAt', 'priority', '-updatedAt', 'deadlineAt'];
/** Filters an older service refuses (400 naming them); the console then applies them itself. */
const NEWER_FILTERS = ['awaitingAck', 'overdue', 'sort'];

/**
 * The incident queue: filters in the URL, quick filters by role (a coordinator's triage, an
 * analyst's "our work"), live arrivals behind a "N new" control, rows updated in place.
 */
export function Queue({ user }: { user: User }) {
  const intl = useIntl();
  const navigate = useNavigate();
  const client = useQueryClient();
  const searchStr = useRouterState({ select: (s) => s.location.searchStr });
  const filters = fromSearch(searchStr);
  const apiSearch = toSearch(filters);
  const analyst = user.role === 'analyst';
  const quick = useMemo(
    () => (analyst && user.state ? analystQuickFilters(user.state) : QUICK_FILTERS),
    [analyst, user.state],
  );
  const current = quickOf(filters, quick);
  const [fresh, setFresh] = useState(0);
  const [cursorRow, setCursorRow] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const searchRef = useRef<HTMLInputElement>(null);

  const query = useInfiniteQuery({
    queryKey: ['incidents', apiSearch],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => listPage(filters, user, pageParam),
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];

  const setFilters = (next: Filters) => {
    setFresh(0);
    setCursorRow(0);
    void navigate({
      to: '/incidents',
      search: Object.fromEntries(new URLSearchParams(toSearch(next))),
    });
  };

  // Rows change where they stand: the one incident is read again and put in its place (or
  // taken out when it is no longer visible); new ones wait behind the "N new" control.
  const shown = useRef(new Set<string>());
  shown.current = new Set(rows.map((r) => r.id));
  useLiveEvents(
    useCallback(
      (e: LiveEvent) => {
        if (e.type === 'incident.created') setFresh((n) => n + 1);
        else if (e.type === 'reset') void client.invalidateQueries({ queryKey: ['incidents'] });
        else if (e.incidentId && shown.current.has(e.incidentId)) {
          void refreshRow(client, ['incidents', apiSearch], e.incidentId);
        }
      },
      [client, apiSearch],
    ),
  );

  const act = async (id: string, method: string, path: string, body?: unknown) => {
    await api(method, path, body);
    await refreshRow(client, ['incidents', apiSearch], id);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e)) return;
      const onControl = (e.target as HTMLElement).closest('a, button');
      const row = rows[cursorRow];
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'j') setCursorRow((r) => Math.min(r + 1, Math.max(rows.length - 1, 0)));
      else if (e.key === 'k') setCursorRow((r) => Math.max(r - 1, 0));
      else if (e.key === 'x' && row) toggle(row.id);
      else if ((e.key === 'o' || (e.key === 'Enter' && !onControl)) && row) {
        void navigate({ to: '/incidents/$id', params: { id: row.id } });
      } else if (e.key === 'a' && row && user.role === 'coordinator') {
        void act(row.id, 'PATCH', `/incidents/${row.id}`, { assignee: user.username });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  function toggle(id: string) {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const select = (key: 'status' | 'severity' | 'tlp', values: string[], label: string) => (
    <label>
      {intl.formatMessage({ id: label })}{' '}
      <select
        value={filters[key][0] ?? ''}
        onChange={(e) => setFilters({ ...filters, [key]: e.target.value ? [e.target.value] : [] })}
      >
        <option value="">{intl.formatMessage({ id: 'queue.filter.any' })}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {key === 'tlp' ? v : intl.formatMessage({ id: `${key}.${v}` })}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <main>
      <h1>
        <FormattedMessage id={analyst ? 'queue.analystTitle' : 'queue.title'} />
      </h1>
      <nav className="quick" aria-label={intl.formatMessage({ id: 'queue.quick' })}>
        <button
          type="button"
          aria-pressed={current === 'all'}
          onClick={() => setFilters(NO_FILTERS)}
        >
          <FormattedMessage id="queue.quick.all" />
        </button>
        {Object.keys(quick).map((name) => (
          <button
            key={name}
            type="button"
            aria-pressed={current === name}
            onClick={() => setFilters(applyQuick(name, quick))}
          >
            <FormattedMessage id={`queue.quick.${name}`} />
          </button>
        ))}
      </nav>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = new FormData(e.currentTarget).get('q');
          setFilters({ ...filters, q: typeof q === 'string' && q.trim() ? q.trim() : undefined });
        }}
      >
        <label>
          {intl.formatMessage({ id: 'queue.search' })}{' '}
          <input
            ref={searchRef}
            name="q"
            type="search"
            defaultValue={filters.q ?? ''}
            key={filters.q ?? ''}
            aria-keyshortcuts="/"
          />
        </label>
        {select('status', STATUSES, 'queue.filter.status')}
        {select('severity', SEVERITIES, 'queue.filter.severity')}
        {select('tlp', TLPS, 'queue.filter.tlp')}
        <label>
          {intl.formatMessage({ id: 'queue.filter.sort' })}{' '}
          <select
            value={filters.sort ?? '-createdAt'}
            onChange={(e) =>
              setFilters({
                ...filters,
                sort: e.target.value === '-createdAt' ? undefined : e.target.value,
              })
            }
          >
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {intl.formatMessage({ id: `queue.sort.${s}` })}
              </option>
            ))}
          </select>
        </label>
      </form>
      {fresh > 0 && (
        <button
          type="button"
          className="fresh"
          onClick={() => {
            setFresh(0);
            void query.refetch();
          }}
        >
          <FormattedMessage id="queue.newRows" values={{ count: fresh }} />
        </button>
      )}
      {selected.size > 0 && (
        <p aria-live="polite">
          <FormattedMessage id="queue.selected" values={{ count: selected.size }} />
        </p>
      )}
      {user.role === 'coordinator' && selected.size > 0 && (
        <BulkBar
          ids={[...selected]}
          user={user}
          onDone={(ids) => {
            for (const id of ids) void refreshRow(client, ['incidents', apiSearch], id);
          }}
        />
      )}
      <ErrorText error={query.error} />
      <table aria-label={intl.formatMessage({ id: 'queue.title' })}>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">
                <FormattedMessage id="queue.col.select" />
              </span>
            </th>
            {[
              'reference',
              'title',
              'severity',
              'tlp',
              'status',
              'reportingState',
              'dispatches',
              'assignee',
              'created',
            ].map((c) => (
              <th scope="col" key={c}>
                <FormattedMessage id={`queue.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((i, n) => {
            const ours = analyst ? i.dispatches.find((d) => d.state === user.state) : undefined;
            return (
              <tr
                key={i.id}
                className={n === cursorRow ? 'cursor' : undefined}
                aria-current={n === cursorRow ? 'true' : undefined}
                aria-selected={selected.has(i.id)}
              >
                <td>
                  <input
                    type="checkbox"
                    aria-label={intl.formatMessage(
                      { id: 'queue.select' },
                      { reference: i.reference },
                    )}
                    checked={selected.has(i.id)}
                    onChange={() => toggle(i.id)}
                  />
                </td>
                <td className="nowrap">
                  <Link to="/incidents/$id" params={{ id: i.id }}>
                    {i.reference}
                  </Link>
                </td>
                <td>{i.title}</td>
                <td>{intl.formatMessage({ id: `severity.${i.severity}` })}</td>
                <td>
                  <TlpLabel tlp={i.tlp} />
                </td>
                <td>{intl.formatMessage({ id: `status.${i.status}` })}</td>
                <td>{i.reportingState}</td>
                <td>
                  <DispatchSummary dispatches={i.dispatches} />
                  {ours && ours.status !== 'acknowledged' && (
                    <button
                      type="button"
                      className="row-action"
                      onClick={() => void act(i.id, 'POST', `/incidents/${i.id}/acknowledgements`)}
                    >
                      {intl.formatMessage({ id: 'queue.acknowledge' }, { reference: i.reference })}
                    </button>
                  )}
                </td>
                <td>{i.assignee ?? '—'}</td>
                <td className="nowrap">
                  <Time at={i.createdAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 && !query.isLoading && (
        <p>
          <FormattedMessage id="queue.empty" />
        </p>
      )}
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()}>
          <FormattedMessage id="queue.more" />
        </button>
      )}
    </main>
  );
}

/** Per state: its status in words, the escalation level, and time left to the next one. */
function DispatchSummary({ dispatches }: { dispatches: Dispatch[] }) {
  const intl = useIntl();
  return (
    <ul className="dispatches">
      {dispatches.map((d) => (
        <li key={d.state} className={`dispatch dispatch-${d.status}`}>
          {d.state}: {intl.formatMessage({ id: `dispatch.${d.status}` })}
          {d.escalationLevel > 0 && (
            <>
              {' '}
              <FormattedMessage id="queue.level" values={{ level: d.escalationLevel }} />
            </>
          )}
          {d.status !== 'acknowledged' && d.deadlineAt && (
            <>
              {' '}
              <Countdown deadline={d.deadlineAt} />
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * One page of the list. A service that refuses the newer filters (awaitingAck, overdue,
 * sort=deadlineAt: 400 naming them) is asked without them, and the console applies them to
 * what comes back.
 */
async function listPage(
  filters: Filters,
  user: User,
  cursor: string | null,
): Promise<Page<Incident>> {
  const ask = (f: Filters) => {
    const params = new URLSearchParams(toSearch(f));
    params.set('limit', '50');
    if (cursor) params.set('cursor', cursor);
    return api<Page<Incident>>('GET', `/incidents?${params.toString()}`);
  };
  try {
    return await ask(filters);
  } catch (e) {
    const refused = e instanceof ApiError && e.status === 400 ? e.problem?.errors : undefined;
    if (!refused?.some((f) => NEWER_FILTERS.includes(f.field))) throw e;
  }
  const older: Filters = { ...filters, awaitingAck: undefined, overdue: undefined };
  if (filters.sort === 'deadlineAt') older.sort = undefined;
  if (filters.awaitingAck && user.role === 'analyst' && user.state) {
    older.dispatchedTo = [user.state];
  }
  const page = await ask(older);
  const waiting = (d: Dispatch) =>
    d.status !== 'acknowledged' && (user.role !== 'analyst' || d.state === user.state);
  const deadline = (i: Incident) =>
    Math.min(...i.dispatches.filter(waiting).map((d) => Date.parse(d.deadlineAt ?? i.createdAt)));
  let items = page.items;
  if (filters.awaitingAck) items = items.filter((i) => i.dispatches.some(waiting));
  if (filters.overdue) {
    items = items.filter((i) =>
      i.dispatches.some(
        (d) =>
          waiting(d) &&
          (d.escalationLevel > 0 || (d.deadlineAt && Date.parse(d.deadlineAt) < Date.now())),
      ),
    );
  }
  if (filters.sort === 'deadlineAt') items = [...items].sort((a, b) => deadline(a) - deadline(b));
  return { ...page, items };
}

/** Reads one incident again and replaces (or, gone from sight, removes) its row in the list. */
async function refreshRow(client: QueryClient, key: unknown[], id: string): Promise<void> {
  let read: Incident | null;
  try {
    read = await api<Incident>('GET', `/incidents/${id}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) return;
    read = null;
  }
  const fresh = read;
  client.setQueryData<InfiniteData<Page<Incident>, string | null>>(key, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((p) => ({
            ...p,
            items: fresh
              ? p.items.map((i) => (i.id === id ? fresh : i))
              : p.items.filter((i) => i.id !== id),
          })),
        }
      : data,
  );
}
