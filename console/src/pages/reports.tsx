import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useCallback, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { api, ApiError, apiText, Page, Report, User } from '../api';
import { ErrorText, Time } from '../common';
import { useLang } from '../i18n';
import { LiveEvent, useLiveEvents } from '../live';

/** Experience-sharing reports: the list, each read as Markdown or downloaded; ordering one. */
export function Reports({ user }: { user: User }) {
  const intl = useIntl();
  const client = useQueryClient();
  const [reading, setReading] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['reports'],
    queryFn: () => api<Page<Report>>('GET', '/reports?limit=100'),
  });
  useLiveEvents(
    useCallback(
      (e: LiveEvent) => {
        if (e.type === 'report.ready' || e.type === 'reset') {
          void client.invalidateQueries({ queryKey: ['reports'] });
        }
      },
      [client],
    ),
  );
  const rows = list.data?.items ?? [];
  const period = (r: Report) =>
    intl.formatDateTimeRange(new Date(r.from), new Date(Date.parse(r.to) - 1), {
      dateStyle: 'medium',
      timeZone: 'UTC',
    });

  return (
    <main>
      <h1>
        <FormattedMessage id="reports.title" />
      </h1>
      {user.role !== 'analyst' && <OrderReport />}
      <ErrorText error={list.error} />
      <table aria-label={intl.formatMessage({ id: 'reports.title' })}>
        <thead>
          <tr>
            {['kind', 'period', 'audience', 'status', 'created', 'content'].map((c) => (
              <th key={c} scope="col">
                <FormattedMessage id={`reports.col.${c}`} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{intl.formatMessage({ id: `reports.kind.${r.kind}` })}</td>
              <td>{period(r)}</td>
              <td>{intl.formatMessage({ id: `reports.audience.${r.audience}` })}</td>
              <td>{intl.formatMessage({ id: `reports.status.${r.status}` })}</td>
              <td>
                <Time at={r.createdAt} />
              </td>
              <td>
                {r.status === 'ready' && (
                  <>
                    <button
                      type="button"
                      aria-expanded={reading === r.id}
                      aria-label={intl.formatMessage(
                        { id: 'reports.readOne' },
                        { period: period(r) },
                      )}
                      onClick={() => setReading(reading === r.id ? null : r.id)}
                    >
                      <FormattedMessage id="reports.read" />
                    </button>{' '}
                    <a href={`/api/v1/reports/${r.id}?format=json`} download>
                      JSON
                    </a>{' '}
                    <a href={`/api/v1/reports/${r.id}?format=stix`} download>
                      STIX
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !list.isLoading && (
        <p>
          <FormattedMessage id="reports.empty" />
        </p>
      )}
      {reading && <ReportText id={reading} />}
    </main>
  );
}

/**
 * A report's Markdown, rendered as HTML by `renderReport` (raw HTML in it stays text; see
 * lib/markdown.ts), loaded only when a report is read so the first screen does not carry it.
 */
function ReportText({ id }: { id: string }) {
  const { lang } = useLang();
  const text = useQuery({
    queryKey: ['report', id, 'markdown', lang],
    queryFn: async () => {
      const [markdown, { renderReport }] = await Promise.all([
        markdownOf(id, lang),
        import('../lib/markdown'),
      ]);
      return renderReport(markdown);
    },
  });
  return (
    <section aria-labelledby="report-text" className="report-text">
      <h2 id="report-text">
        <FormattedMessage id="reports.text" />
      </h2>
      <ErrorText error={text.error} />
      {text.data !== undefined && (
        <div className="report" dangerouslySetInnerHTML={{ __html: text.data }} />
      )}
    </section>
  );
}

async function markdownOf(id: string, lang: string): Promise<string> {
  try {
    return await apiText(`/reports/${id}?format=markdown&lang=${lang}`);
  } catch (e) {
    // A service without report languages refuses `lang` (400 naming it): English then.
    if (!(e instanceof ApiError && e.problem?.errors?.some((f) => f.field === 'lang'))) throw e;
    return apiText(`/reports/${id}?format=markdown`);
  }
}

function OrderReport() {
  const intl = useIntl();
  const client = useQueryClient();
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  const [from, setFrom] = useState(monthAgo);
  const [to, setTo] = useState(today);
  const [audience, setAudience] = useState('community');
  const order = useMutation({
    mutationFn: () =>
      api('POST', '/reports', {
        from: `${from}T00:00:00.000Z`,
        to: new Date(Date.parse(`${to}T00:00:00.000Z`) + 86_400_000).toISOString(),
        audience,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['reports'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    order.mutate();
  };
  return (
    <form className="order" onSubmit={submit} aria-labelledby="order-heading">
      <h2 id="order-heading">
        <FormattedMessage id="reports.order" />
      </h2>
      <label>
        {intl.formatMessage({ id: 'reports.from' })}
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </label>
      <label>
        {intl.formatMessage({ id: 'reports.to' })}
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} required />
      </label>
      <label>
        {intl.formatMessage({ id: 'reports.col.audience' })}
        <select value={audience} onChange={(e) => setAudience(e.target.value)}>
          <option value="community">
            {intl.formatMessage({ id: 'reports.audience.community' })}
          </option>
          <option value="public">{intl.formatMessage({ id: 'reports.audience.public' })}</option>
        </select>
      </label>
      <button type="submit" disabled={order.isPending}>
        <FormattedMessage id="reports.orderSubmit" />
      </button>
      <ErrorText error={order.error} />
      {order.isSuccess && (
        <p role="status">
          <FormattedMessage id="reports.ordered" />
        </p>
      )}
    </form>
  );
}
