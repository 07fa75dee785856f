import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keyset, Page, PageQuery } from '../common/pagination.js';
import { Principal } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import type { Observable } from './observables.js';
import { SqlParams, visibleTo } from './visibility.js';

/**
 * In incident id order. `incident_id` is unqualified on purpose: the same terms serve the
 * range read of incident_observables (o) inside the lateral and the outer query on `hits`.
 */
const BY_INCIDENT_ID = keyset({
  name: 'related',
  direction: 'asc',
  columns: [{ sql: 'incident_id', type: 'uuid' }],
});

export interface RelatedIncident {
  incident: IncidentView;
  /** The normalised observables this incident shares with the one asked about. */
  shared: Observable[];
}

@Injectable()
export class RelatedIncidentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
  ) {}

  /**
   * Other visible incidents sharing a (type, value) with this one, in id order, paged by
   * id. For each distinct observable of the incident, one range read of
   * incident_observables_value_idx (type, value, incident_id) takes the first limit + 1
   * visible matches after the cursor; their union holds the page's incidents, and each of
   * them with every value it shares (an incident within the first k overall is within the
   * first k of each observable it matches). Work is bounded by observables × (limit + 1),
   * whatever the number of incidents.
   */
  async list(
    principal: Principal,
    incidentId: string,
    query: PageQuery,
  ): Promise<Page<RelatedIncident>> {
    await this.incidents.findVisibleOrThrow(principal, incidentId);
    const params = new SqlParams();
    const self = params.add(incidentId);
    const after = BY_INCIDENT_ID.after(query.cursor, params);
    const limit = params.add(query.limit + 1);
    const rows = await sql<{ incident_id: string; shared: Observable[] }>(
      this.dataSource,
      `WITH mine AS (
         SELECT DISTINCT type, value FROM incident_observables WHERE incident_id = ${self}
       ), hits AS (
         SELECT m.type, m.value, h.incident_id
           FROM mine m
           CROSS JOIN LATERAL (
             SELECT DISTINCT o.incident_id
               FROM incident_observables o
               JOIN incidents i ON i.id = o.incident_id
              WHERE o.type = m.type AND o.value = m.value AND o.incident_id <> ${self}
                AND ${after}
                AND ${visibleTo(principal, 'i', params)}
              ORDER BY ${BY_INCIDENT_ID.orderBy}
              LIMIT ${limit}
           ) h
       )
       SELECT incident_id, ${BY_INCIDENT_ID.select},
              json_agg(json_build_object('type', type, 'value', value) ORDER BY type, value) AS shared
         FROM hits GROUP BY incident_id ORDER BY ${BY_INCIDENT_ID.orderBy} LIMIT ${limit}`,
      params.values,
    );
    const page = BY_INCIDENT_ID.page(rows, query.limit, query.cursor);
    const views = await this.incidents.findManyVisible(
      principal,
      page.rows.map((r) => r.incident_id),
    );
    const sharedOf = new Map(page.rows.map((r) => [r.incident_id, r.shared]));
    return {
      items: views.map((incident) => ({ incident, shared: sharedOf.get(incident.id) ?? [] })),
      nextCursor: page.nextCursor,
    };
  }
}
