import type { DataSource, EntityManager } from 'typeorm';
import { SEVERITIES } from '../config/env.schema.js';
import { MEMBER_STATES } from '../common/member-state-codes.js';
import { sql } from '../common/sql.js';
import {
  Audience,
  DETAILED_TLP,
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
 * Computes a report's content with aggregate SQL only; Node shapes the few result rows.
 * Run it in one REPEATABLE READ transaction so every section sees the same snapshot.
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
  const timings = await durations(db, spec);
  const escalations = await escalationsByState(db, spec);
  const rejected = await countRejected(db, spec);
  const transnational = await transnationalObservables(db, spec, detailed);
  const lessons = await lessonsLearned(db, spec, detailed);
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
      resolved: timings.resolution.overall.count,
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
    },
    timings,
    escalations,
    transnationalObservables: transnational,
    lessonsLearned: lessons,
  };
}

const DIMENSIONS = ['state', 'class', 'category', 'severity', 'sector', 'tlp', 'status'] as const;
type Dimension = (typeof DIMENSIONS)[number];

/** One pass over the period's incidents: every breakdown is a grouping set. */
async function countOpened(db: Db, spec: ReportSpec) {
  const rows = await sql<{ dim: Dimension | 'total'; key: string | null; count: number }>(
    db,
    `SELECT CASE
              WHEN GROUPING(reporting_state) = 0 THEN 'state'
              WHEN GROUPING(split_part(category, '/', 1)) = 0 THEN 'class'
              WHEN GROUPING(category) = 0 THEN 'category'
              WHEN GROUPING(severity) = 0 THEN 'severity'
              WHEN GROUPING(sector) = 0 THEN 'sector'
              WHEN GROUPING(tlp) = 0 THEN 'tlp'
              WHEN GROUPING(status) = 0 THEN 'status'
              ELSE 'total' END AS dim,
            COALESCE(reporting_state::text, split_part(category, '/', 1), category::text,
                     severity::text, sector::text, tlp::text, status::text) AS key,
            count(*)::int AS count
       FROM incidents
      WHERE created_at >= $1 AND created_at < $2
      GROUP BY GROUPING SETS ((reporting_state), (split_part(category, '/', 1)), (category),
                              (severity), (sector), (tlp), (status), ())`,
    [spec.from, spec.to],
  );
  const out = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as KeyCount[]])) as Record<
    Dimension,
    KeyCount[]
  >;
  let total = 0;
  for (const r of rows) {
    if (r.dim === 'total') total = r.count;
    else out[r.dim].push({ key: r.key ?? '', count: r.count });
  }
  for (const d of DIMENSIONS) out[d].sort((a, b) => b.count - a.count || cmp(a.key, b.key));
  return { ...out, total };
}

/**
 * Median and p90 per severity, in seconds to the millisecond. Acknowledgement: first acknowledgement of any dispatch of
 * an incident opened in the period (as known when generated). Resolution: incidents
 * resolved in the period, from creation to resolution.
 */
async function durations(db: Db, spec: ReportSpec) {
  const rows = await sql<{
    metric: 'acknowledgement' | 'resolution';
    severity: string | null;
    count: number;
    median: number | null;
    p90: number | null;
  }>(
    db,
    `WITH ack AS (
        SELECT i.severity, extract(epoch FROM min(d.acknowledged_at) - i.created_at)::float8 AS seconds
          FROM incidents i JOIN dispatches d ON d.incident_id = i.id
         WHERE i.created_at >= $1 AND i.created_at < $2 AND d.acknowledged_at IS NOT NULL
         GROUP BY i.id
      ), res AS (
        SELECT severity, extract(epoch FROM resolved_at - created_at)::float8 AS seconds
          FROM incidents
         WHERE resolved_at >= $1 AND resolved_at < $2 AND status IN ('resolved', 'closed')
      ), measured AS (
        SELECT 'acknowledgement' AS metric, severity, seconds FROM ack
        UNION ALL
        SELECT 'resolution', severity, seconds FROM res
      )
      SELECT metric, severity, count(*)::int AS count,
             round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::numeric, 3)::float8 AS median,
             round(percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)::numeric, 3)::float8 AS p90
        FROM measured
       GROUP BY GROUPING SETS ((metric, severity), (metric))`,
    [spec.from, spec.to],
  );
  const timing = (metric: string): Timing => {
    const stats = (r?: (typeof rows)[number]): DurationStats => ({
      count: r?.count ?? 0,
      medianSeconds: r?.median ?? null,
      p90Seconds: r?.p90 ?? null,
    });
    const mine = rows.filter((r) => r.metric === metric);
    return {
      overall: stats(mine.find((r) => r.severity === null)),
      bySeverity: SEVERITIES.map((severity) => ({
        severity,
        ...stats(mine.find((r) => r.severity === severity)),
      })),
    };
  };
  return { acknowledgement: timing('acknowledgement'), resolution: timing('resolution') };
}

/** Per receiving state: dispatches of incidents opened in the period and how they escalated. */
async function escalationsByState(db: Db, spec: ReportSpec): Promise<StateEscalations[]> {
  const rows = await sql<StateEscalations>(
    db,
    `SELECT d.state::text AS state,
            count(*)::int AS dispatches,
            count(*) FILTER (WHERE d.acknowledged_at IS NOT NULL)::int AS acknowledged,
            count(*) FILTER (WHERE d.escalation_level > 0)::int AS escalated,
            coalesce(sum(d.escalation_level), 0)::int AS escalations
       FROM dispatches d JOIN incidents i ON i.id = d.incident_id
      WHERE i.created_at >= $1 AND i.created_at < $2
      GROUP BY d.state`,
    [spec.from, spec.to],
  );
  const known = new Set<string>(MEMBER_STATES);
  const zero = (state: string) => ({
    state,
    dispatches: 0,
    acknowledged: 0,
    escalated: 0,
    escalations: 0,
  });
  return [
    ...MEMBER_STATES.map((s) => rows.find((r) => r.state === s) ?? zero(s)),
    ...rows.filter((r) => !known.has(r.state)),
  ];
}

async function countRejected(db: Db, spec: ReportSpec): Promise<number> {
  const [row] = await sql<{ rejected: number }>(
    db,
    `SELECT count(DISTINCT incident_id)::int AS rejected
       FROM timeline_events
      WHERE type = 'transitioned' AND data->>'to' = 'rejected' AND at >= $1 AND at < $2`,
    [spec.from, spec.to],
  );
  return row.rejected;
}

/**
 * Normalised observables of incidents opened in the period that two or more reporting
 * states share. Listed only when one of their incidents may be detailed to the audience;
 * `total` counts them all.
 */
async function transnationalObservables(db: Db, spec: ReportSpec, detailed: string[]) {
  const [row] = await sql<{ total: number; shareable: number; items: TransnationalObservable[] }>(
    db,
    `WITH per_state AS (
        SELECT o.type, o.value, i.reporting_state::text AS state,
               count(DISTINCT i.id)::int AS incidents,
               bool_or(i.tlp = ANY($3)) AS detailed,
               bool_or(i.tlp = ANY($3) AND i.tlp <> 'TLP:CLEAR') AS above_clear
          FROM incident_observables o JOIN incidents i ON i.id = o.incident_id
         WHERE i.created_at >= $1 AND i.created_at < $2
         GROUP BY o.type, o.value, i.reporting_state
      ), transnational AS MATERIALIZED (
        SELECT type, value, count(*) AS state_count, sum(incidents)::int AS incidents,
               jsonb_agg(jsonb_build_object('state', state, 'incidents', incidents) ORDER BY state) AS states,
               bool_or(detailed) AS detailed, bool_or(above_clear) AS above_clear
          FROM per_state
         GROUP BY type, value
        HAVING count(*) >= 2
      )
      SELECT (SELECT count(*) FROM transnational)::int AS total,
             (SELECT count(*) FROM transnational WHERE detailed)::int AS shareable,
             coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                        'type', type, 'value', value, 'incidents', incidents, 'states', states,
                        'tlp', CASE WHEN above_clear THEN 'TLP:GREEN' ELSE 'TLP:CLEAR' END)
                      ORDER BY state_count DESC, incidents DESC, type, value)
                 FROM (SELECT * FROM transnational WHERE detailed
                        ORDER BY state_count DESC, incidents DESC, type, value LIMIT $4) shown
             ), '[]'::jsonb) AS items`,
    [spec.from, spec.to, detailed, MAX_TRANSNATIONAL],
  );
  return row;
}

/** Resolved incidents the audience may see in detail, oldest resolution first. */
async function lessonsLearned(db: Db, spec: ReportSpec, detailed: string[]) {
  const rows = await sql<{
    reference: string;
    title: string;
    category: string;
    severity: string;
    sector: string;
    tlp: string;
    reporting_state: string;
    resolved_at: Date;
    resolution_summary: string | null;
    lessons_learned: string | null;
    total: number;
  }>(
    db,
    `SELECT reference, title, category, severity, sector, tlp, reporting_state, resolved_at,
            resolution_summary, lessons_learned, count(*) OVER ()::int AS total
       FROM incidents
      WHERE resolved_at >= $1 AND resolved_at < $2 AND status IN ('resolved', 'closed')
        AND tlp = ANY($3)
      ORDER BY resolved_at, reference
      LIMIT $4`,
    [spec.from, spec.to, detailed, MAX_LESSONS],
  );
  const items: Lesson[] = rows.map((r) => ({
    reference: r.reference,
    title: r.title,
    category: r.category,
    severity: r.severity,
    sector: r.sector,
    tlp: r.tlp,
    reportingState: r.reporting_state,
    resolvedAt: r.resolved_at.toISOString(),
    summary: r.resolution_summary,
    lessons: r.lessons_learned,
  }));
  return { total: rows[0]?.total ?? 0, items };
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
