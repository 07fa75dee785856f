import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { FormattedMessage, IntlShape, useIntl } from 'react-intl';
import { api, Stats, User } from '../api';
import { ErrorText } from '../common';
import { useCategoryName } from '../vocabulary';

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Figures from `GET /api/v1/stats` (what the caller may see): the per-state acknowledgement
 * board, incidents per day, by status, severity, category and reporting state. Every chart
 * can be read as a table of its numbers.
 */
export function Dashboard({ user }: { user: User }) {
  const intl = useIntl();
  const [from, setFrom] = useState(() => isoDay(Date.now() - 29 * DAY));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const stats = useQuery({
    queryKey: ['stats', from, to],
    queryFn: () =>
      api<Stats>(
        'GET',
        `/stats?from=${from}T00:00:00.000Z&to=${isoDay(Date.parse(`${to}T00:00:00Z`) + DAY)}T00:00:00.000Z`,
      ),
  });
  const s = stats.data;
  const named = useCategoryName();
  const categoryName = (value: string) => named(value) || value;
  const words = (prefix: string, counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]): [string, number] => [intl.formatMessage({ id: `${prefix}.${k}` }), v]);

  return (
    <main className="dashboard">
      <h1>
        <FormattedMessage id="dashboard.title" />
      </h1>
      {user.role === 'analyst' && (
        <p>
          <FormattedMessage id="dashboard.analyst" />
        </p>
      )}
      <form className="period" onSubmit={(e) => e.preventDefault()}>
        <label>
          {intl.formatMessage({ id: 'reports.from' })}
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {intl.formatMessage({ id: 'reports.to' })}
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      <ErrorText error={stats.error} />
      {s && (
        <>
          <section aria-labelledby="ack-board">
            <h2 id="ack-board">
              <FormattedMessage id="dashboard.acks" />
            </h2>
            <table aria-labelledby="ack-board">
              <thead>
                <tr>
                  {[
                    'state',
                    'dispatched',
                    'acknowledged',
                    'pending',
                    'overdue',
                    'escalated',
                    'median',
                  ].map((c) => (
                    <th key={c} scope="col">
                      <FormattedMessage id={`dashboard.acks.${c}`} />
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {s.acknowledgements.map((a) => (
                  <tr key={a.state}>
                    <th scope="row">{intl.formatMessage({ id: `state.${a.state}` })}</th>
                    <td>{a.dispatched}</td>
                    <td>{a.acknowledged}</td>
                    <td>{a.pending}</td>
                    <td className={a.overdue > 0 ? 'overdue' : undefined}>{a.overdue}</td>
                    <td>{a.escalated}</td>
                    <td>{duration(intl, a.medianSecondsToAck)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s.acknowledgements.length === 0 && (
              <p>
                <FormattedMessage id="dashboard.none" />
              </p>
            )}
          </section>
          <div className="charts">
            <Chart
              title={intl.formatMessage({ id: 'dashboard.daily' })}
              columns
              data={s.daily.map((d): [string, number] => [
                intl.formatDate(`${d.date}T00:00:00Z`, {
                  day: 'numeric',
                  month: 'short',
                  timeZone: 'UTC',
                }),
                d.count,
              ])}
            />
            <Chart
              title={intl.formatMessage({ id: 'dashboard.byStatus' })}
              data={words('status', s.byStatus)}
            />
            <Chart
              title={intl.formatMessage({ id: 'dashboard.bySeverity' })}
              data={words('severity', s.bySeverity)}
            />
            <Chart
              title={intl.formatMessage({ id: 'dashboard.byCategory' })}
              data={Object.entries(s.byCategory)
                .sort((a, b) => b[1] - a[1])
                .map(([k, v]): [string, number] => [categoryName(k), v])}
            />
            <Chart
              title={intl.formatMessage({ id: 'dashboard.byReportingState' })}
              data={words('state', s.byReportingState)}
            />
          </div>
        </>
      )}
    </main>
  );
}

/** A median time in the largest unit that fits, in the chosen language (`2 h 05 min`). */
function duration(intl: IntlShape, seconds: number | null): string {
  if (seconds === null) return '—';
  const unit = (n: number, u: string) =>
    intl.formatNumber(n, { style: 'unit', unit: u, unitDisplay: 'short' });
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${unit(h, 'hour')} ${unit(m, 'minute')}`;
  return m > 0 ? unit(m, 'minute') : unit(seconds, 'second');
}

/**
 * A bar chart drawn as SVG (nothing fetched, nothing inline), with each bar's number written
 * beside it, and a switch to the same numbers as a table.
 */
function Chart({
  title,
  data,
  columns = false,
}: {
  title: string;
  data: [string, number][];
  columns?: boolean;
}) {
  const intl = useIntl();
  const id = useId();
  const [table, setTable] = useState(false);
  const max = Math.max(1, ...data.map(([, v]) => v));
  return (
    <section className="chart" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <button type="button" aria-pressed={table} onClick={() => setTable((t) => !t)}>
        <FormattedMessage id="dashboard.asTable" />
      </button>
      {data.length === 0 ? (
        <p>
          <FormattedMessage id="dashboard.none" />
        </p>
      ) : table ? (
        <table aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">
                <FormattedMessage id="dashboard.item" />
              </th>
              <th scope="col">
                <FormattedMessage id="dashboard.count" />
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : columns ? (
        <svg
          role="img"
          aria-label={intl.formatMessage({ id: 'dashboard.chartOf' }, { title })}
          viewBox={`0 0 ${data.length * 12} 125`}
          className="columns"
        >
          {data.map(([label, value], i) => (
            <rect
              key={label}
              x={i * 12 + 1}
              width={10}
              y={105 - (value / max) * 100}
              height={(value / max) * 100}
            >
              <title>{`${label}: ${value}`}</title>
            </rect>
          ))}
          <line x1={0} x2={data.length * 12} y1={105.5} y2={105.5} className="axis" />
          <text x={0} y={120}>
            {data[0][0]}
          </text>
          <text x={data.length * 12} y={120} textAnchor="end">
            {data[data.length - 1][0]}
          </text>
          <text x={0} y={10}>
            {max}
          </text>
        </svg>
      ) : (
        <svg
          role="img"
          aria-label={intl.formatMessage({ id: 'dashboard.chartOf' }, { title })}
          viewBox={`0 0 300 ${data.length * 34}`}
          className="bars"
        >
          {data.map(([label, value], i) => (
            <g key={label} transform={`translate(0 ${i * 34})`}>
              <text x={0} y={12}>
                {label}
              </text>
              <rect x={0} y={16} height={12} width={Math.max(1, (value / max) * 250)} />
              <text x={Math.max(1, (value / max) * 250) + 5} y={27}>
                {value}
              </text>
            </g>
          ))}
        </svg>
      )}
    </section>
  );
}
