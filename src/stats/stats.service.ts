import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { FieldError, Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { overdueSql } from '../dispatches/dispatches.service.js';
import { visibleTo } from '../incidents/visibility.js';
import { parseInstant, periodProblem } from '../reports/report-periods.js';
import type { StatsQuery } from './dto/stats.query.js';
import { msg } from '../i18n/i18n.js';

const DEFAULT_DAYS = 30;

export interface AckStats {
  state: string;
  dispatched: number;
  acknowledged: number;
  pending: number;
  overdue: number;
  escalated: number;
  medianSecondsToAck: number | null;
}

export interface Stats {
  from: string;
  to: string;
  byStatus: Record<string, number>;
  bySeverity: Record<string, number>;
  byCategory: Record<string, number>;
  byReportingState: Record<string, number>;
  daily: { date: string; count: number }[];
  acknowledgements: AckStats[];
}

/**
 * Counts of the incidents created in [from, to) that the caller may see (the one visibility
 * rule, as the list applies it), computed in SQL: nothing is loaded row by row.
 */
@Injectable()
export class StatsService {
  constructor(private readonly dataSource: DataSource) {}

  async stats(principal: Principal, query: StatsQuery): Promise<Stats> {
    const { from, to } = period(query);
    const params = new SqlParams();
    const scope = `i.created_at >= ${params.add(from)} AND i.created_at < ${params.add(to)}
      AND ${visibleTo(principal, 'i', params)}`;
    const [row] = await sql<{ counts: Stats; daily: Stats['daily']; acks: AckStats[] }>(
      this.dataSource,
      `WITH scoped AS (SELECT i.id, i.status, i.severity, i.category, i.reporting_state,
                              i.created_at FROM incidents i WHERE ${scope})
       SELECT
         json_build_object(
           'byStatus', (SELECT coalesce(json_object_agg(status, n), '{}') FROM
                          (SELECT status, count(*) n FROM scoped GROUP BY status) s),
           'bySeverity', (SELECT coalesce(json_object_agg(severity, n), '{}') FROM
                          (SELECT severity, count(*) n FROM scoped GROUP BY severity) s),
           'byCategory', (SELECT coalesce(json_object_agg(category, n), '{}') FROM
                          (SELECT category, count(*) n FROM scoped GROUP BY category) s),
           'byReportingState', (SELECT coalesce(json_object_agg(reporting_state, n), '{}') FROM
                          (SELECT reporting_state, count(*) n FROM scoped GROUP BY reporting_state) s)
         ) AS counts,
         (SELECT json_agg(json_build_object('date', to_char(g.d, 'YYYY-MM-DD'),
                                            'count', coalesce(c.n, 0)) ORDER BY g.d)
            FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
                                 ($2::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
                                 interval '1 day') AS g(d)
            LEFT JOIN (SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) n
                       FROM scoped GROUP BY 1) c ON c.day = g.d) AS daily,
         (SELECT coalesce(json_agg(a ORDER BY a.state), '[]') FROM (
            SELECT d.state,
                   count(*)::int AS dispatched,
                   count(d.acknowledged_at)::int AS acknowledged,
                   (count(*) - count(d.acknowledged_at))::int AS pending,
                   count(*) FILTER (WHERE ${overdueSql('d')})::int AS overdue,
                   count(*) FILTER (WHERE d.escalation_level > 0)::int AS escalated,
                   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY
                     extract(epoch FROM d.acknowledged_at - d.created_at)))::int
                     AS "medianSecondsToAck"
            FROM dispatches d JOIN scoped ON scoped.id = d.incident_id
            GROUP BY d.state) a) AS acks`,
      params.values,
    );
    const counts = row.counts;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      byStatus: numbers(counts.byStatus),
      bySeverity: numbers(counts.bySeverity),
      byCategory: numbers(counts.byCategory),
      byReportingState: numbers(counts.byReportingState),
      daily: (row.daily ?? []).map((d) => ({ date: d.date, count: Number(d.count) })),
      acknowledgements: row.acks,
    };
  }
}

function numbers(counts: Record<string, number | string>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
}

function period(query: StatsQuery): { from: Date; to: Date } {
  const errors: FieldError[] = [];
  const invalid = msg('v.isoForm');
  const to = query.to === undefined ? new Date() : parseInstant(query.to);
  if (!to) errors.push({ field: 'to', message: invalid });
  const from =
    query.from === undefined
      ? to && new Date(to.getTime() - DEFAULT_DAYS * 24 * 3600 * 1000)
      : parseInstant(query.from);
  if (!from) errors.push({ field: 'from', message: invalid });
  const problem = from && to ? periodProblem({ from, to }) : null;
  if (problem) errors.push({ field: 'to', message: problem });
  if (errors.length > 0) throw Problem.validation(errors);
  return { from: from!, to: to! };
}
