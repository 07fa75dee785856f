import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, keyset, Page } from '../common/pagination.js';
import { attachmentsOf } from './attachment-view.js';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { allQueries, sql } from '../common/sql.js';
import type { IncidentSort, ListIncidentsQuery } from './dto/list-incidents.query.js';
import { DispatchView, IncidentRow, IncidentView, toIncidentView } from './incident-view.js';
import type { Observable } from './observables.js';
import { awaitingAckSql, overdueSql } from '../dispatches/dispatches.service.js';
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
  /**
   * incidents_updated_idx, read backwards. Updates move an incident to the front:
   * updated_xid (set by a trigger) lets a walk leave out those updated since it began.
   */
  '-updatedAt': keyset({
    name: 'incidents:-updatedAt',
    direction: 'desc',
    columns: [
      { sql: 'i.updated_at', type: 'timestamp' },
      { sql: 'i.id', type: 'uuid' },
    ],
    changedBy: 'i.updated_xid',
  }),
} satisfies Record<Exclude<IncidentSort, 'deadlineAt'>, Keyset>;

/**
 * `sort=deadlineAt`: the earliest pending acknowledgement deadline among the dispatches the
 * caller waits on (an analyst: its own state's), incidents without one last, oldest first.
 * Deadlines move under a walk (escalations, acknowledgements, severity changes,
 * transitions): dispatches.deadline_xid (set by triggers) lets a walk leave out the
 * incidents whose counted dispatches changed since it began. `own(alias)` restricts a
 * dispatches alias to the analyst's state. The keyset names the union's columns (`u`); the
 * branches write their own position conditions (see IncidentsRepository.listByDeadline).
 */
function deadlineOrder(own: (alias: string) => string): Keyset {
  return keyset({
    name: 'incidents:deadlineAt',
    direction: 'asc',
    columns: [
      { sql: 'u.k_deadline', type: 'timestamp' },
      { sql: 'u.created_at', type: 'timestamp' },
      { sql: 'u.id', type: 'uuid' },
    ],
    changedByAny: `ARRAY(SELECT w.deadline_xid FROM dispatches w WHERE w.incident_id = i.id ${own('w')})`,
  });
}

/**
 * `awaitingAck` / `overdue`: the incident has (true) or has no (false) dispatch in that
 * condition; for an analyst only its own state's dispatch counts.
 */
function dispatchCondition(
  principal: Principal,
  params: SqlParams,
  wanted: 'true' | 'false',
  condition: (alias: string) => string,
): string {
  const own = principal.role === 'analyst' ? `AND f_w.state = ${params.add(principal.state)}` : '';
  return `${wanted === 'true' ? '' : 'NOT '}EXISTS (SELECT 1 FROM dispatches f_w
    WHERE f_w.incident_id = i.id AND ${condition('f_w')} ${own})`;
}

/** `column = v` for one value (as the composite indexes expect), `= ANY` for several. */
function anyOf(column: string, values: string[], params: SqlParams): string {
  return values.length === 1
    ? `${column} = ${params.add(values[0])}`
    : `${column} = ANY(${params.add(values)}::text[])`;
}

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

  /**
   * A page of visible incidents; keyset pagination, so each row appears exactly once. Every
   * filter narrows the visible set: none can reach an incident the caller may not see.
   */
  async list(principal: Principal, query: ListIncidentsQuery): Promise<Page<IncidentView>> {
    const params = new SqlParams();
    const where = [visibleTo(principal, 'i', params)];
    const equal: [string, string[] | undefined][] = [
      ['status', query.status],
      ['severity', query.severity],
      ['category', query.category],
      ['tlp', query.tlp],
      ['sector', query.sector],
      ['reporting_state', query.reportingState],
    ];
    for (const [column, values] of equal) {
      if (values !== undefined) where.push(anyOf(`i.${column}`, values, params));
    }
    // People (issue 11): `me` is the caller (a person's username), `none` is unassigned.
    if (query.assignee === 'none') where.push('i.assignee IS NULL');
    else if (query.assignee !== undefined) {
      const assignee = query.assignee === 'me' ? principal.name : query.assignee;
      where.push(`i.assignee = ${params.add(assignee)}`);
    }
    if (query.dispatchedTo) {
      where.push(`EXISTS (SELECT 1 FROM dispatches f_d
        WHERE f_d.incident_id = i.id AND ${anyOf('f_d.state', query.dispatchedTo, params)})`);
    }
    if (query.awaitingAck) {
      where.push(dispatchCondition(principal, params, query.awaitingAck, awaitingAckSql));
    }
    if (query.overdue) {
      where.push(dispatchCondition(principal, params, query.overdue, overdueSql));
    }
    if (query.updatedSince) {
      where.push(`i.updated_at >= ${params.add(query.updatedSince)}::timestamptz`);
    }
    if (query.q) where.push(`${SEARCH} @@ plainto_tsquery('simple', ${params.add(query.q)})`);

    if (query.sort === 'priority' && query.severity !== undefined) {
      // Implied by the severity filter; spelled out so the planner can seek to the rank in
      // the priority indexes instead of filtering its way past every higher severity.
      const ranks = query.severity.map((s) => SEVERITIES.indexOf(s as Severity));
      where.push(
        ranks.length === 1
          ? `${PRIORITY} = ${params.add(ranks[0])}`
          : `${PRIORITY} = ANY(${params.add(ranks)}::int[])`,
      );
    }
    if (query.sort === 'deadlineAt') return this.listByDeadline(principal, query, params, where);
    const order = ORDERS[query.sort];
    where.push(order.after(query.cursor, params));
    const rows = await sql<IncidentRow>(
      this.dataSource,
      `SELECT i.*, ${order.select}
       FROM incidents i WHERE ${where.join(' AND ')}
       ORDER BY ${order.orderBy} LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
    return this.toPage(principal, order, rows, query);
  }

  /**
   * `sort=deadlineAt` as the union of two ordered branches, each served by an index and cut
   * at `limit + 1`: the incidents with a pending deadline, walked along the dispatches'
   * deadline index keeping each incident's earliest (dispatches_deadline_idx, or
   * dispatches_state_deadline_idx for an analyst), then those without one, oldest first
   * (incidents_created_idx). One statement, so one snapshot for both.
   */
  private async listByDeadline(
    principal: Principal,
    query: ListIncidentsQuery,
    params: SqlParams,
    where: string[],
  ): Promise<Page<IncidentView>> {
    const state = principal.role === 'analyst' ? params.add(principal.state) : null;
    const own = (alias: string) => (state ? `AND ${alias}.state = ${state}` : '');
    const order = deadlineOrder(own);
    const cursor = order.decode(query.cursor);
    const filters = [...where, order.unchanged(query.cursor, params)].join(' AND ');
    const limit = params.add(query.limit + 1);
    let due = 'TRUE';
    let none = 'TRUE';
    if (cursor) {
      const [deadline, createdAt, id] = cursor.values;
      const rest = `${params.add(createdAt)}::timestamptz, ${params.add(id)}::uuid`;
      if (deadline === 'infinity') {
        due = 'FALSE';
        none = `(i.created_at, i.id) > (${rest})`;
      } else {
        due = `(d.ack_deadline, i.created_at, i.id) > (${params.add(deadline)}::timestamptz, ${rest})`;
      }
    }
    const pending = (alias: string) => `${alias}.ack_deadline IS NOT NULL ${own(alias)}`;
    const rows = await sql<IncidentRow>(
      this.dataSource,
      `SELECT u.*, ${order.select} FROM (
         (SELECT i.*, d.ack_deadline AS k_deadline
            FROM dispatches d JOIN incidents i ON i.id = d.incident_id
           WHERE ${pending('d')}
             AND NOT EXISTS (SELECT 1 FROM dispatches e
                             WHERE e.incident_id = d.incident_id AND ${pending('e')}
                               AND (e.ack_deadline, e.id) < (d.ack_deadline, d.id))
             AND ${due} AND ${filters}
           ORDER BY d.ack_deadline, i.created_at, i.id LIMIT ${limit})
         UNION ALL
         (SELECT i.*, 'infinity'::timestamptz AS k_deadline
            FROM incidents i
           WHERE NOT EXISTS (SELECT 1 FROM dispatches e
                             WHERE e.incident_id = i.id AND ${pending('e')})
             AND ${none} AND ${filters}
           ORDER BY i.created_at, i.id LIMIT ${limit})
       ) u
       ORDER BY ${order.orderBy} LIMIT ${limit}`,
      params.values,
    );
    return this.toPage(principal, order, rows, query);
  }

  private async toPage(
    principal: Principal,
    order: Keyset,
    rows: IncidentRow[],
    query: ListIncidentsQuery,
  ): Promise<Page<IncidentView>> {
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
    const [observables, dispatches, attachments] = await allQueries(db, [
      () =>
        sql<Observable & { incident_id: string }>(
          db,
          `SELECT incident_id, type, value FROM incident_observables
           WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, position`,
          [ids],
        ),
      () =>
        sql<{
          incident_id: string;
          state: string;
          status: DispatchView['status'];
          notified_at: Date | null;
          acknowledged_at: Date | null;
          escalation_level: number;
          ack_deadline: Date | null;
        }>(
          db,
          `SELECT incident_id, state, status, notified_at, acknowledged_at, escalation_level,
                  ack_deadline
           FROM dispatches
           WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, state`,
          [ids],
        ),
      () => attachmentsOf(db, ids),
    ]);
    const observablesOf = groupBy(observables, (o) => ({ type: o.type, value: o.value }));
    const dispatchesOf = groupBy(dispatches, (d) => ({
      state: d.state,
      status: d.status,
      notifiedAt: d.notified_at,
      acknowledgedAt: d.acknowledged_at,
      escalationLevel: d.escalation_level,
      deadlineAt: d.ack_deadline,
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
