import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keyset, Page, PageQuery } from '../common/pagination.js';
import { Principal } from '../common/principal.js';
import { sql, SqlParams } from '../common/sql.js';
import { IncidentsRepository } from './incidents.repository.js';
import { TimelineItem, timelineItemFor } from './timeline-view.js';
import { partyOf } from './visibility.js';

/** Oldest first; index timeline_events_incident_idx (incident_id, at, id). */
const OLDEST_FIRST = keyset({
  name: 'timeline',
  direction: 'asc',
  columns: [
    { sql: 'at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
});

/** Reads an incident's timeline, oldest first, for whoever may see the incident. */
@Injectable()
export class IncidentTimelineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
  ) {}

  async list(
    principal: Principal,
    incidentId: string,
    query: PageQuery,
  ): Promise<Page<TimelineItem>> {
    const incident = await this.incidents.findVisibleOrThrow(principal, incidentId);
    const params = new SqlParams();
    const rows = await sql<TimelineItem>(
      this.dataSource,
      `SELECT id, type, actor, at, data, ${OLDEST_FIRST.select}
         FROM timeline_events
        WHERE incident_id = ${params.add(incidentId)} AND ${OLDEST_FIRST.after(query.cursor, params)}
        ORDER BY ${OLDEST_FIRST.orderBy} LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
    const party = partyOf(principal);
    return OLDEST_FIRST.toPage(rows, query.limit, query.cursor, ({ id, type, actor, at, data }) =>
      timelineItemFor(party, incident.reportingState, { id, type, actor, at, data }),
    );
  }
}
