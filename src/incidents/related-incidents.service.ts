import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, Page, PageQuery } from '../common/pagination.js';
import { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import type { Observable } from './observables.js';
import { SqlParams, visibleTo } from './visibility.js';
import { msg } from '../i18n/i18n.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const after = params.add(readCursor(query.cursor));
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
                AND (${after}::uuid IS NULL OR o.incident_id > ${after}::uuid)
                AND ${visibleTo(principal, 'i', params)}
              ORDER BY o.incident_id
              LIMIT ${limit}
           ) h
       )
       SELECT incident_id,
              json_agg(json_build_object('type', type, 'value', value) ORDER BY type, value) AS shared
         FROM hits GROUP BY incident_id ORDER BY incident_id LIMIT ${limit}`,
      params.values,
    );
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const views = await this.incidents.findManyVisible(
      principal,
      page.map((r) => r.incident_id),
    );
    const sharedOf = new Map(page.map((r) => [r.incident_id, r.shared]));
    return {
      items: views.map((incident) => ({ incident, shared: sharedOf.get(incident.id) ?? [] })),
      nextCursor: more ? encodeCursor([page[page.length - 1].incident_id]) : null,
    };
  }
}

function readCursor(cursor: string | undefined): string | null {
  const values = decodeCursor(cursor, 1);
  if (!values) return null;
  if (typeof values[0] !== 'string' || !UUID.test(values[0])) {
    throw Problem.validation([{ field: 'cursor', message: msg('v.cursor') }]);
  }
  return values[0];
}
