import type { DataSource, EntityManager } from 'typeorm';
import { RESOLVED_STATUSES, SEVERITIES } from '../vocabulary/vocabulary.js';
import { MEMBER_STATES } from '../vocabulary/member-states.js';
import { sql } from '../common/sql.js';
import { countTransitionedTo } from '../timeline/timeline.service.js';
import {
  Audience,
  DETAILED_TLP,
  DayCount,
  DurationStats,
  KeyCount,
  Lesson,
  MAX_LESSONS,
  MAX_TRANSNATIONAL,
  ReportContent,
  StateEscalations,
  Timing,
  TLP_LEVELS,
  TransnationalObservable,
} from './report-content.js';
import type { ReportKind } from './report.entity.js';

export interface ReportSpec {
  id: string;
  kind: ReportKind;
  audience: Audience;
  from: Date;
  to: Date;
}

type Db = DataSource | EntityManager;

/**
 * Runs computeReportContent the way a generation does: one REPEATABLE READ, read-only
 * transaction so every section sees the same snapshot, without JIT (its compile time
 * outweighs the gain at these sizes), with room to sort in memory, and a time limit.
 */
export async function generateReportContent(
  dataSource: DataSource,
  spec: ReportSpec,
  options: { statementTimeout?: string } = {},
): Promise<ReportContent> {
  return dataSource.transaction('REPEATABLE READ', async (manager) => {
    await manager.query('SET TRANSACTION READ ONLY');
    await manager.query("SET LOCAL jit = 'off'");
    await manager.query("SET LOCAL work_mem = '64MB'");
    // A parameter, not text spliced into SQL; `true`: local to this transaction.
    await manager.query(`SELECT set_config('statement_timeout', $1, true)`, [
      options.statementTimeout ?? '5min',
    ]);
    return computeReportContent(manager, spec);
  });
}

/**
 * Computes a report's content with aggregate SQL only; Node shapes the few result rows.
 * Cohorts: counts, acknowledgement times and escalations cover incidents opened in
 * [from, to); resolution times and lessons cover incidents resolved in it; rejections are
 * transitions to `rejected` recorded in the timeline within it.
 */
export async function computeReportContent(
  db: Db,
  spec: ReportSpec,
  generatedAt = new Date(),
): Promise<ReportContent> {
  const detailed = DETAILED_TLP[spec.audience];
  const counts = await countOpened(db, spec);
  const dispatched = await dispatchStats(db, spec);
  const resolved = await resolvedStats(db, spec, detailed);
  const rejected = await countTransitionedTo(db, 'rejected', spec.from, spec.to);
  const transnational = await transnationalObservables(db, spec, detailed);
  return {
    format: 'ccc-report/1',
    report: {
      id: spec.id,
      kind: spec.kind,
      audience: spec.audience,
      from: spec.from.toISOString(),
      to: spec.to.toISOString(),
      generatedAt: generatedAt.toISOString(),
    },
    detailedTlp: detailed,
    totals: {
      opened: counts.total,
      resolved: resolved.timing.overall.count,
      rejected,
    },
    counts: {
      byReportingState: withZeros(counts.state, MEMBER_STATES),
      byClass: counts.class,
      byCategory: counts.category,
      bySeverity: withZeros(counts.severity, SEVERITIES),
      bySector: counts.sector,
      byTlp: withZeros(counts.tlp, TLP_LEVELS),
      byStatus: counts.status,
      daily: counts.daily,
    },
    timings: { acknowledgement: dispatched.timing, resolution: resolved.timing },
    escalations: dispatched.escalations,
    transnationalObservables: transnational,
    lessonsLearned: resolved.lessons,
  };
}

const DIMENSIONS = ['state', 'class', 'category', 'severity', 'sector', 'tlp', 'status'] as const;
type Dimension = (typeof DIMENSIONS)[number];

/**
 * One pass over the period's incidents into fine groups (as few as distinct combinations),
 * then every breakdown as a grouping set over those, the per-day counts by reporting state
 * included.
 */
async function countOpened(db: Db, spec: ReportSpec) {
  const rows = await sql<{
    dim: Dimension | 'day' | 'total';
    key: string | null;
    day: string | null;
    count: number;
  }>(
    db,
    `WITH fine AS (
        SELECT reporting_state::text AS state, category::text AS category, severity::text AS severity,
               sector::text AS sector, tlp::text AS tlp, status::text AS status,
               to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n
          FROM incidents
         WHERE created_at >= $1 AND created_at < $2
         GROUP BY 1, 2, 3, 4, 5, 6, 7
      )
      SELECT CASE
               WHEN GROUPING(day) = 0 THEN 'day'
               WHEN GROUPING(state) = 0 THEN 'state'
               WHEN GROUPING(split_part(category, '/', 1)) = 0 THEN 'class'
               WHEN GROUPING(category) = 0 THEN 'category'
               WHEN GROUPING(severity) = 0 THEN 'severity'
               WHEN GROUPING(sector) = 0 THEN 'sector'
               WHEN GROUPING(tlp) = 0 THEN 'tlp'
               WHEN GROUPING(status) = 0 THEN 'status'
               ELSE 'total' END AS dim,
             COALESCE(state, split_part(category, '/', 1), category, severity, sector, tlp, status) AS key,
             day,
             sum(n)::int AS count
        FROM fine
       GROUP BY GROUPING SETS ((state), (split_part(category, '/', 1)), (category), (severity),
                               (sector), (tlp), (status), (day, state), ())`,
    [spec.from, spec.to],
  );
  const out = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as KeyCount[]])) as Record<
    Dimension,
    KeyCount[]
  >;
  const perDay = new Map<string, KeyCount[]>();
  let total = 0;
  for (const r of rows) {
    if (r.dim === 'total') total = r.count;
    else if (r.dim === 'day') {
      perDay.set(r.day!, [...(perDay.get(r.day!) ?? []), { key: r.key ?? '', count: r.count }]);
    } else out[r.dim].push({ key: r.key ?? '', count: r.count });
  }
  for (const d of DIMENSIONS) out[d].sort((a, b) => b.count - a.count || cmp(a.key, b.key));
  const daily = daysOf(spec).map((date): DayCount => {
    const states = perDay.get(date) ?? [];
    return {
      date,
      count: states.reduce((sum, s) => sum + s.count, 0),
      byReportingState: withZeros(states, MEMBER_STATES).filter((s) => s.count > 0),
    };
  });
  return { ...out, daily, total };
}

/** The UTC dates a period [from, to) touches, oldest first. */
export function daysOf(period: { from: Date; to: Date }): string[] {
  const days: string[] = [];
  const last = new Date(period.to.getTime() - 1).toISOString().slice(0, 10);
  for (let at = period.from.getTime(); ; at += 24 * 3600 * 1000) {
    const date = new Date(at).toISOString().slice(0, 10);
    days.push(date);
    if (date >= last) return days;
  }
}

interface StatsRow {
  severity: string | null;
  count: number;
  median: number | null;
  p90: number | null;
}

/** Median and p90 in seconds (to the millisecond), per severity and overall. */
const PERCENTILES = `count(*)::int AS count,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::numeric, 3)::float8 AS median,
  round(percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)::numeric, 3)::float8 AS p90`;

interface StateStatsRow {
  state: string;
  count: number;
  median: number | null;
  p90: number | null;
}

function toTiming(rows: StatsRow[], byState: StateStatsRow[] = []): Timing {
  const stats = (r?: {
    count: number;
    median: number | null;
    p90: number | null;
  }): DurationStats => ({
    count: r?.count ?? 0,
    medianSeconds: r?.median ?? null,
    p90Seconds: r?.p90 ?? null,
  });
  return {
    overall: stats(rows.find((r) => r.severity === null)),
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      ...stats(rows.find((r) => r.severity === severity)),
    })),
    byState: [
      ...MEMBER_STATES.map((state) => ({
        state,
        ...stats(byState.find((r) => r.state === state)),
      })),
      ...byState
        .filter((r) => !(MEMBER_STATES as readonly string[]).includes(r.state))
        .sort((a, b) => cmp(a.state, b.state))
        .map((r) => ({ state: r.state, ...stats(r) })),
    ],
  };
}

/**
 * One join of the period's incidents with their dispatches gives both the time to first
 * acknowledgement (by any receiving state, as known when generated) per severity and the
 * escalations per receiving state.
 */
async function dispatchStats(db: Db, spec: ReportSpec) {
  const [row] = await sql<{
    timing: StatsRow[] | null;
    byState: StateStatsRow[] | null;
    escalations: StateEscalations[] | null;
  }>(
    db,
    `WITH disp AS MATERIALIZED (
        SELECT i.id, i.severity::text AS severity, i.created_at, d.state::text AS state,
               d.acknowledged_at, d.escalation_level
          FROM incidents i JOIN dispatches d ON d.incident_id = i.id
         WHERE i.created_at >= $1 AND i.created_at < $2
      ), ack AS (
        SELECT severity, extract(epoch FROM min(acknowledged_at) - min(created_at))::float8 AS seconds
          FROM disp WHERE acknowledged_at IS NOT NULL
         GROUP BY id, severity
      )
      SELECT (SELECT jsonb_agg(t) FROM (
                SELECT severity, ${PERCENTILES} FROM ack GROUP BY GROUPING SETS ((severity), ())
              ) t) AS timing,
             (SELECT jsonb_agg(t) FROM (
                SELECT state, ${PERCENTILES} FROM (
                  SELECT state, extract(epoch FROM acknowledged_at - created_at)::float8 AS seconds
                    FROM disp WHERE acknowledged_at IS NOT NULL
                ) a GROUP BY state
              ) t) AS "byState",
             (SELECT jsonb_agg(e) FROM (
                SELECT state, count(*)::int AS dispatches,
                       count(*) FILTER (WHERE acknowledged_at IS NOT NULL)::int AS acknowledged,
                       count(*) FILTER (WHERE escalation_level > 0)::int AS escalated,
                       coalesce(sum(escalation_level), 0)::int AS escalations
                  FROM disp GROUP BY state
              ) e) AS escalations`,
    [spec.from, spec.to],
  );
  const found = row.escalations ?? [];
  const known = new Set<string>(MEMBER_STATES);
  const zero = (state: string) => ({
    state,
    dispatches: 0,
    acknowledged: 0,
    escalated: 0,
    escalations: 0,
  });
  return {
    timing: toTiming(row.timing ?? [], row.byState ?? []),
    escalations: [
      ...MEMBER_STATES.map((s) => found.find((r) => r.state === s) ?? zero(s)),
      ...found.filter((r) => !known.has(r.state)).sort((a, b) => cmp(a.state, b.state)),
    ],
  };
}

/**
 * Incidents resolved in the period: time from creation to resolution per severity, and the
 * lessons of those the audience may see in detail (oldest resolution first, capped).
 */
async function resolvedStats(db: Db, spec: ReportSpec, detailed: string[]) {
  const [row] = await sql<{
    timing: StatsRow[] | null;
    byState: StateStatsRow[] | null;
    total: number;
    lessons: Lesson[];
  }>(
    db,
    `WITH res AS MATERIALIZED (
        SELECT id, reference, severity::text AS severity, reporting_state::text AS state, tlp,
               resolved_at,
               extract(epoch FROM resolved_at - created_at)::float8 AS seconds
          FROM incidents
         WHERE resolved_at >= $1 AND resolved_at < $2 AND status = ANY($5)
      ), shown AS (
        SELECT id, resolved_at, reference FROM res WHERE tlp = ANY($3)
         ORDER BY resolved_at, reference LIMIT $4
      )
      SELECT (SELECT jsonb_agg(t) FROM (
                SELECT severity, ${PERCENTILES} FROM res GROUP BY GROUPING SETS ((severity), ())
              ) t) AS timing,
             (SELECT jsonb_agg(t) FROM (
                SELECT state, ${PERCENTILES} FROM res GROUP BY state
              ) t) AS "byState",
             (SELECT count(*) FROM res WHERE tlp = ANY($3))::int AS total,
             coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                        'reference', i.reference, 'title', i.title, 'category', i.category,
                        'severity', i.severity, 'sector', i.sector, 'tlp', i.tlp,
                        'reportingState', i.reporting_state,
                        'resolvedAt', to_char(i.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                        'summary', i.resolution_summary, 'lessons', i.lessons_learned)
                      ORDER BY s.resolved_at, s.reference)
                 FROM shown s JOIN incidents i ON i.id = s.id
             ), '[]'::jsonb) AS lessons`,
    [spec.from, spec.to, detailed, MAX_LESSONS, RESOLVED_STATUSES],
  );
  return {
    timing: toTiming(row.timing ?? [], row.byState ?? []),
    lessons: { total: row.total, items: row.lessons },
  };
}

/**
 * Normalised observables of incidents opened in the period that two or more reporting
 * states share. Listed only when one of their incidents may be detailed to the audience;
 * `total` counts them all. Intake de-duplicates an incident's observables, so a row is
 * an incident.
 */
async function transnationalObservables(db: Db, spec: ReportSpec, detailed: string[]) {
  const [row] = await sql<{ total: number; shareable: number; items: TransnationalObservable[] }>(
    db,
    `WITH per_state AS MATERIALIZED (
        SELECT o.type, o.value, i.reporting_state::text AS state, count(*)::int AS incidents,
               bool_or(i.tlp = ANY($3)) AS detailed,
               bool_or(i.tlp = ANY($3) AND i.tlp <> 'TLP:CLEAR') AS above_clear
          FROM incident_observables o JOIN incidents i ON i.id = o.incident_id
         WHERE i.created_at >= $1 AND i.created_at < $2
         GROUP BY o.type, o.value, i.reporting_state
      ), transnational AS MATERIALIZED (
        SELECT type, value, count(*) AS state_count, sum(incidents)::int AS incidents,
               bool_or(detailed) AS detailed, bool_or(above_clear) AS above_clear
          FROM per_state
         GROUP BY type, value
        HAVING count(*) >= 2
      ), shown AS (
        SELECT * FROM transnational WHERE detailed
         ORDER BY state_count DESC, incidents DESC, type, value LIMIT $4
      ), shown_states AS (
        SELECT s.type, s.value,
               jsonb_agg(jsonb_build_object('state', p.state, 'incidents', p.incidents) ORDER BY p.state) AS states
          FROM shown s JOIN per_state p ON p.type = s.type AND p.value = s.value
         GROUP BY s.type, s.value
      )
      SELECT (SELECT count(*) FROM transnational)::int AS total,
             (SELECT count(*) FROM transnational WHERE detailed)::int AS shareable,
             coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                        'type', s.type, 'value', s.value, 'incidents', s.incidents, 'states', st.states,
                        'tlp', CASE WHEN s.above_clear THEN 'TLP:GREEN' ELSE 'TLP:CLEAR' END)
                      ORDER BY s.state_count DESC, s.incidents DESC, s.type, s.value)
                 FROM shown s JOIN shown_states st ON st.type = s.type AND st.value = s.value
             ), '[]'::jsonb) AS items`,
    [spec.from, spec.to, detailed, MAX_TRANSNATIONAL],
  );
  return row;
}

function withZeros(counts: KeyCount[], keys: readonly string[]): KeyCount[] {
  const known = new Set(keys);
  return [
    ...keys.map((key) => ({ key, count: counts.find((c) => c.key === key)?.count ?? 0 })),
    ...counts.filter((c) => !known.has(c.key)),
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
