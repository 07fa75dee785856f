import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ChangeSet } from '../common/change-set.js';
import { sql } from '../common/sql.js';
import { TextTemplate } from '../common/text-template.js';

export type TimelineType =
  | 'created'
  | 'routed'
  | 'notified'
  | 'acknowledged'
  | 'escalated'
  | 'transitioned'
  | 'commented'
  | 'assigned'
  | 'reclassified'
  | 'attached'
  | 'attachment-downloaded'
  | 'attachment-deleted';

export interface TimelineEntry {
  incidentId: string;
  type: TimelineType;
  actor: string;
  data?: Record<string, unknown>;
}

export interface FragmentOptions {
  /** A FROM item of the statement that gates the rows (no row, no entry) and feeds `values`. */
  from?: string;
  /** SQL for the holes the entries' data was built with (e.g. a reference numbered meanwhile). */
  values?: Record<string, string>;
}

/**
 * The one writer of `timeline_events`, as a fragment of the caller's change set (CTE
 * `timeline`). Rows of one statement often share a clock_timestamp() microsecond, and readers
 * order by (at, id): each entry gets its own microsecond, in the order given, so "created"
 * always reads before "routed". `build(hole)` may put `hole(name)` in an entry's data where
 * a value of `options.values` goes.
 */
export function timelineFragment(
  cs: ChangeSet,
  build: TimelineEntry[] | ((hole: (name: string) => string) => TimelineEntry[]),
  options: FragmentOptions = {},
): void {
  let entries: TimelineEntry[] = [];
  const data = TextTemplate.buildAll((hole) => {
    entries = typeof build === 'function' ? build(hole) : build;
    return entries.map((e) => JSON.stringify(e.data ?? {}));
  });
  if (entries.length === 0) return;
  const rows = entries.map(
    (e, i) =>
      `(${i + 1}, ${cs.add(e.incidentId)}::uuid, ${cs.add(e.type)}::text, ${cs.add(e.actor)}::text,
        ${data[i].sql(cs, options.values ?? {})}::jsonb)`,
  );
  const source = options.from ? `${options.from}, LATERAL ` : '';
  cs.with(
    'timeline',
    `INSERT INTO timeline_events (incident_id, type, actor, data, at)
     SELECT e.incident_id, e.type, e.actor, e.data,
            clock_timestamp() + (e.n - 1) * interval '1 microsecond'
     FROM ${source}(VALUES ${rows.join(',\n')}) AS e(n, incident_id, type, actor, data)
     RETURNING id, at`,
  );
}

/**
 * Timeline entries the statement itself computes, one per row of `rows`: a query returning
 * (incident_id, type, actor, data) in that order, e.g. from a CTE of the dispatches a batch
 * marked. Same rule as above: each entry its own microsecond. CTE `timeline`.
 */
export function timelineRowsFragment(cs: ChangeSet, rows: string): void {
  cs.with(
    'timeline',
    `INSERT INTO timeline_events (incident_id, type, actor, data, at)
     SELECT e.incident_id, e.type, e.actor, e.data,
            clock_timestamp() + (row_number() OVER () - 1) * interval '1 microsecond'
     FROM (${rows}) AS e(incident_id, type, actor, data)
     RETURNING id, at`,
  );
}

@Injectable()
export class TimelineService {
  /**
   * Records events in the caller's transaction (one statement); returns their ids and times,
   * in the order given.
   */
  async add(manager: EntityManager, entries: TimelineEntry[]): Promise<{ id: string; at: Date }[]> {
    const cs = new ChangeSet();
    timelineFragment(cs, entries);
    return cs.run<{ id: string; at: Date }>(manager, 'id, at', 'timeline ORDER BY at');
  }
}

/**
 * Incidents moved to `status` by a transition in [from, to) (reports). The shape of the
 * `transitioned` data stays in this module; served by the partial index on transitions.
 */
export async function countTransitionedTo(
  db: DataSource | EntityManager,
  status: string,
  from: Date | string,
  to: Date | string,
): Promise<number> {
  const [row] = await sql<{ n: number }>(
    db,
    `SELECT count(DISTINCT incident_id)::int AS n
       FROM timeline_events
      WHERE type = 'transitioned' AND at >= $1 AND at < $2 AND data->>'to' = $3`,
    [from, to, status],
  );
  return row.n;
}
