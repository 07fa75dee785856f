import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, keyset, Page } from '../common/pagination.js';
import { attachmentsOf } from './attachment-view.js';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import type { IncidentSort, ListIncidentsQuery } from './dto/list-incidents.query.js';
import { DispatchView, IncidentRow, IncidentView, toIncidentView } from './incident-view.js';
import type { Observable } from './observables.js';
import { Severity, SEVERITIES } from '../vocabulary/vocabulary.js';
import { incidentViewFor, SqlParams, visibleTo } from './visibility.js';

/** Same expression as index incidents_priority_idx. */
const PRIORITY = `(CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)`;
/** Same expression as index incidents_search_idx. */
const SEARCH = `to_tsvector('simple', i.title || ' ' || coalesce(i.description, ''))`;

/** The orders of the incident list, each served by an index (see the migrations). */
const ORDERS = {
  /** incidents_created_idx, incidents_status_created_idx, …, read backwards. */
  '-createdAt': keyset({
    name: 'incidents:-createdAt',
    direction: 'desc',
    columns: [
      { sql: 'i.created_at', type: 'timestamp' },
      { sql: 'i.id', type: 'uuid' },
    ],
  }),
  /**
   * incidents_priority_idx, incidents_status_priority_idx. The rank follows severity, which
   * coordinators change: severity_xid (set by a trigger) lets a walk leave out the incidents
   * reclassified since it began, so none is seen twice (see KeysetDefinition.changedBy).
   */
  priority: keyset({
    name: 'incidents:priority',
    direction: 'asc',
    columns: [
      { sql: PRIORITY, type: 'int' },
      { sql: 'i.created_at', type: 'timestamp' },
      { sql: 'i.id', type: 'uuid' },
    ],
    changedBy: 'i.severity_xid',
  }),
} satisfies Record<IncidentSort, Keyset>;

export interface FindOptions {
  forUpdate?: boolean;
  untrimmed?: boolean;
}

/**
 * Every read of incidents, always for a Principal: the visibility rule is applied in
 * the SQL here and nowhere else. Invisible incidents are absent (404), never 403.
 */
@Injectable()
export class IncidentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The incident as `principal` may see it, or null when absent or invisible.
   * `forUpdate` locks the row for the caller's transaction (pass its manager).
   * `untrimmed` skips incidentViewFor (row visibility still applies): only for building
   * per-party event payloads, never to answer the caller.
   */
  async findVisible(
    principal: Principal,
    id: string,
    manager?: EntityManager,
    options: FindOptions = {},
  ): Promise<IncidentView | null> {
    const db = manager ?? this.dataSource;
    const params = new SqlParams();
    const rows = await sql<IncidentRow>(
      db,
      `SELECT i.* FROM incidents i
       WHERE i.id = ${params.add(id)} AND ${visibleTo(principal, 'i', params)}
       ${options.forUpdate ? 'FOR UPDATE OF i' : ''}`,
      params.values,
    );
    if (rows.length === 0) return null;
    const [view] = await this.attach(db, rows);
    return options.untrimmed ? view : incidentViewFor(principal, view);
  }

  /** As findVisible, but absent and invisible both answer 404. */
  async findVisibleOrThrow(
    principal: Principal,
    id: string,
    manager?: EntityManager,
    options: FindOptions = {},
  ): Promise<IncidentView> {
    const view = await this.findVisible(principal, id, manager, options);
    if (!view) throw Problem.notFound('incident');
    return view;
  }

  /** The visible ones among `ids`, in the order given (for related incidents and the like). */
  async findManyVisible(
    principal: Principal,
    ids: string[],
    manager?: EntityManager,
  ): Promise<IncidentView[]> {
    if (ids.length === 0) return [];
    const db = manager ?? this.dataSource;
    const params = new SqlParams();
    const rows = await sql<IncidentRow>(
      db,
      `SELECT i.* FROM incidents i
       WHERE i.id = ANY(${params.add(ids)}::uuid[]) AND ${visibleTo(principal, 'i', params)}`,
      params.values,
    );
    const byId = new Map((await this.attach(db, rows)).map((v) => [v.id, v]));
    return ids.flatMap((id) => {
      const view = byId.get(id);
      return view ? [incidentViewFor(principal, view)] : [];
    });
  }

  /** Which of `ids` the principal may see (live events decide per stream with it). */
  async visibleIds(principal: Principal, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const params = new SqlParams();
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `SELECT i.id FROM incidents i
       WHERE i.id = ANY(${params.add(ids)}::uuid[]) AND ${visibleTo(principal, 'i', params)}`,
      params.values,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** A page of visible incidents; keyset pagination, so each row appears exactly once. */
  async list(principal: Principal, query: ListIncidentsQuery): Promise<Page<IncidentView>> {
    const params = new SqlParams();
    const where = [visibleTo(principal, 'i', params)];
    const equal: [string, string | undefined][] = [
      ['status', query.status],
      ['severity', query.severity],
      ['category', query.category],
      ['tlp', query.tlp],
      ['reporting_state', query.reportingState],
    ];
    for (const [column, value] of equal) {
      if (value !== undefined) where.push(`i.${column} = ${params.add(value)}`);
    }
    // People (issue 11): `me` is the caller (a person's username), `none` is unassigned.
    if (query.assignee === 'none') where.push('i.assignee IS NULL');
    else if (query.assignee !== undefined) {
      const assignee = query.assignee === 'me' ? principal.name : query.assignee;
      where.push(`i.assignee = ${params.add(assignee)}`);
    }
    if (query.dispatchedTo) {
      where.push(`EXISTS (SELECT 1 FROM dispatches f_d
        WHERE f_d.incident_id = i.id AND f_d.state = ${params.add(query.dispatchedTo)})`);
    }
    if (query.q) where.push(`${SEARCH} @@ plainto_tsquery('simple', ${params.add(query.q)})`);

    if (query.sort === 'priority' && query.severity !== undefined) {
      // Implied by the severity filter; spelled out so the planner can seek to the rank in
      // the priority indexes instead of filtering its way past every higher severity.
      where.push(`${PRIORITY} = ${params.add(SEVERITIES.indexOf(query.severity as Severity))}`);
    }
    const order = ORDERS[query.sort];
    where.push(order.after(query.cursor, params));
    const rows = await sql<IncidentRow>(
      this.dataSource,
      `SELECT i.*, ${order.select}
       FROM incidents i WHERE ${where.join(' AND ')}
       ORDER BY ${order.orderBy} LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
    const page = order.page(rows, query.limit, query.cursor);
    const views = await this.attach(this.dataSource, page.rows);
    return { items: views.map((v) => incidentViewFor(principal, v)), nextCursor: page.nextCursor };
  }

  /** Observables and dispatches for a set of rows: one query each, whatever the count. */
  private async attach(
    db: DataSource | EntityManager,
    rows: IncidentRow[],
  ): Promise<IncidentView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [observables, dispatches, attachments] = await Promise.all([
      sql<Observable & { incident_id: string }>(
        db,
        `SELECT incident_id, type, value FROM incident_observables
         WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, position`,
        [ids],
      ),
      sql<{
        incident_id: string;
        state: string;
        status: DispatchView['status'];
        acknowledged_at: Date | null;
        escalation_level: number;
      }>(
        db,
        `SELECT incident_id, state, status, acknowledged_at, escalation_level FROM dispatches
         WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, state`,
        [ids],
      ),
      attachmentsOf(db, ids),
    ]);
    const observablesOf = groupBy(observables, (o) => ({ type: o.type, value: o.value }));
    const dispatchesOf = groupBy(dispatches, (d) => ({
      state: d.state,
      status: d.status,
      acknowledgedAt: d.acknowledged_at,
      escalationLevel: d.escalation_level,
    }));
    return rows.map((row) =>
      toIncidentView(
        row,
        observablesOf.get(row.id) ?? [],
        dispatchesOf.get(row.id) ?? [],
        attachments.get(row.id) ?? [],
      ),
    );
  }
}

function groupBy<R extends { incident_id: string }, T>(rows: R[], map: (r: R) => T) {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.incident_id) ?? [];
    list.push(map(row));
    out.set(row.incident_id, list);
  }
  return out;
}
