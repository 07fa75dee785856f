import { InfiniteData, QueryClient, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import { useCallback, useEffect, useRef, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, Incident, Page } from '../api';
import { ErrorText, Time, TlpLabel, typingIn } from '../common';
import {
  applyQuick,
  Filters,
  fromSearch,
  NO_FILTERS,
  QUICK_FILTERS,
  toSearch,
} from '../lib/filters';
import { LiveEvent, useLiveEvents } from '../live';

const STATUSES = ['new', 'triaged', 'in_progress', 'resolved', 'closed', 'rejected', 'duplicate'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const TLPS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'];
const SORTS = ['-createdAt', 'priority', '-updatedAt'];

/** The triage queue: filters in the URL, live arrivals behind a "N new" control. */
export function Queue() {
  const intl = useIntl();
  const navigate = useNavigate();
  const searchStr = useRouterState({ select: (s) => s.location.searchStr });
  const filters = fromSearch(searchStr);
  const apiSearch = toSearch(filters);
  const client = useQueryClient();
  const [fresh, setFresh] = useState(0);
  const [cursorRow, setCursorRow] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const searchRef = useRef<HTMLInputElement>(null);

  const query = useInfiniteQuery({
    queryKey: ['incidents', apiSearch],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams(apiSearch);
      params.set('limit', '50');
      if (pageParam) params.set('cursor', pageParam);
      return api<Page<Incident>>('GET', `/incidents?${params.toString()}`);
    },
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];

  const setFilters = (next: Filters) => {
    setFresh(0);
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

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e)) return;
      const onControl = (e.target as HTMLElement).closest('a, button');
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'j') setCursorRow((r) => Math.min(r + 1, Math.max(rows.length - 1, 0)));
      else if (e.key === 'k') setCursorRow((r) => Math.max(r - 1, 0));
      else if (e.key === 'x' && rows[cursorRow]) toggle(rows[cursorRow].id);
      else if ((e.key === 'o' || (e.key === 'Enter' && !onControl)) && rows[cursorRow]) {
        void navigate({ to: '/incidents/$id', params: { id: rows[cursorRow].id } });
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
        <FormattedMessage id="queue.title" />
      </h1>
      <nav className="quick" aria-label={intl.formatMessage({ id: 'queue.filter.status' })}>
        <button type="button" onClick={() => setFilters(NO_FILTERS)}>
          <FormattedMessage id="queue.quick.all" />
        </button>
        {Object.keys(QUICK_FILTERS).map((name) => (
          <button key={name} type="button" onClick={() => setFilters(applyQuick(name))}>
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
      <ErrorText error={query.error} />
      <table aria-label={intl.formatMessage({ id: 'queue.title' })}>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">✓</span>
            </th>
            {[
              'reference',
              'title',
              'severity',
              'tlp',
              'status',
              'reportingState',
              'dispatches',
              'created',
            ].map((c) => (
              <th scope="col" key={c}>
                <FormattedMessage id={`queue.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((i, n) => (
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
              <td>
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
                {i.dispatches.map((d) => (
                  <span key={d.state} className={`dispatch dispatch-${d.status}`}>
                    {d.state}: {intl.formatMessage({ id: `dispatch.${d.status}` })}
                  </span>
                ))}
              </td>
              <td>
                <Time at={i.createdAt} />
              </td>
            </tr>
          ))}
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
