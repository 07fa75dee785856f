import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, Page, PageQuery, toPage } from '../common/pagination.js';
import { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { IncidentsRepository } from './incidents.repository.js';
import { TimelineItem, timelineItemFor } from './timeline-view.js';
import { partyOf } from './visibility.js';
import { msg } from '../i18n/i18n.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Reads an incident's timeline, oldest first, for whoever may see the incident. */
@Injectable()
export class IncidentTimelineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
  ) {}

  /**
   * Keyset pages on (at, id), index timeline_events_incident_idx. The timestamp travels in
   * the cursor as text with its microseconds (a JS Date would drop them).
   */
  async list(
    principal: Principal,
    incidentId: string,
    query: PageQuery,
  ): Promise<Page<TimelineItem>> {
    const incident = await this.incidents.findVisibleOrThrow(principal, incidentId);
    const after = readCursor(query.cursor);
    const rows = await sql<TimelineItem & { at_key: string }>(
      this.dataSource,
      `SELECT id, type, actor, at, data,
              to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key
         FROM timeline_events
        WHERE incident_id = $1
          AND ($2::timestamptz IS NULL OR (at, id) > ($2::timestamptz, $3::uuid))
        ORDER BY at, id LIMIT $4`,
      [incidentId, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1],
    );
    const party = partyOf(principal);
    return toPage(
      rows,
      query.limit,
      ({ id, type, actor, at, data }) =>
        timelineItemFor(party, incident.reportingState, { id, type, actor, at, data }),
      (row) => [row.at_key, row.id],
    );
  }
}

function readCursor(cursor: string | undefined): [string, string] | null {
  const values = decodeCursor(cursor, 2);
  if (!values) return null;
  const [at, id] = values;
  if (typeof at !== 'string' || !TIMESTAMP.test(at) || typeof id !== 'string' || !UUID.test(id)) {
    throw Problem.validation([{ field: 'cursor', message: msg('v.cursor') }]);
  }
  return [at, id];
}
