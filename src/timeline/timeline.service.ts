import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type TimelineType =
  | 'created'
  | 'routed'
  | 'notified'
  | 'acknowledged'
  | 'escalated'
  | 'transitioned'
  | 'commented'
  | 'assigned'
  | 'reclassified';

export interface TimelineEntry {
  incidentId: string;
  type: TimelineType;
  actor: string;
  data?: Record<string, unknown>;
}

@Injectable()
export class TimelineService {
  /**
   * Records events in the caller's transaction. Rows of one statement often share a
   * clock_timestamp() microsecond, and readers order by (at, id): each entry gets its own
   * microsecond, in the order given, so "created" always reads before "routed". Returns the
   * events' ids and times in that order.
   */
  async add(manager: EntityManager, entries: TimelineEntry[]): Promise<{ id: string; at: Date }[]> {
    if (entries.length === 0) return [];
    return manager.query(
      `WITH added AS (
         INSERT INTO timeline_events (incident_id, type, actor, data, at)
         SELECT e.incident_id, e.type, e.actor, e.data,
                clock_timestamp() + (e.n - 1) * interval '1 microsecond'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])
              WITH ORDINALITY AS e(incident_id, type, actor, data, n)
         RETURNING id, at)
       SELECT id, at FROM added ORDER BY at`,
      [
        entries.map((e) => e.incidentId),
        entries.map((e) => e.type),
        entries.map((e) => e.actor),
        entries.map((e) => JSON.stringify(e.data ?? {})),
      ],
    );
  }
}
