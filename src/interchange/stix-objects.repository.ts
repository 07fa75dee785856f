import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { sql } from '../common/sql.js';
import { observableKey, type ObservableStixIds } from './stix-incident.js';

/** A timestamptz as STIX/TAXII timestamp text with its microseconds (`…T10:00:00.123456Z`). */
export function isoMicrosSql(expr: string): string {
  return `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** What stix_objects keeps for one incident: its object's version and its observables' ids. */
export interface KeptStix {
  version: string;
  /** The MISP event `timestamp` of this version (epoch seconds). */
  eventTimestamp: string;
  observables: Map<string, ObservableStixIds>;
}

/**
 * Reads the kept STIX ids and versions (table stix_objects, written by its trigger only).
 * Callers pass incident ids they got from IncidentsRepository, so this never decides who
 * sees what; the observables' type and value are read only to key the ids.
 */
@Injectable()
export class StixObjectsRepository {
  async keptFor(
    db: DataSource | EntityManager,
    incidentIds: string[],
  ): Promise<Map<string, KeptStix>> {
    const out = new Map<string, KeptStix>();
    if (incidentIds.length === 0) return out;
    const rows = await sql<{
      incident_id: string;
      kind: string;
      object_id: string;
      version: string;
      event_timestamp: string | null;
      type: string | null;
      value: string | null;
    }>(
      db,
      `SELECT s.incident_id, s.kind, s.object_id, ${isoMicrosSql('s.version')} AS version,
              s.event_timestamp, o.type, o.value
       FROM stix_objects s
       LEFT JOIN incident_observables o
         ON o.incident_id = s.incident_id AND o.position = s.position
       WHERE s.incident_id = ANY($1::uuid[])`,
      [incidentIds],
    );
    const partial = new Map<string, Partial<ObservableStixIds>>();
    for (const row of rows) {
      let kept = out.get(row.incident_id);
      if (!kept) {
        kept = { version: '', eventTimestamp: '', observables: new Map() };
        out.set(row.incident_id, kept);
      }
      if (row.kind === 'incident') {
        kept.version = row.version;
        kept.eventTimestamp = row.event_timestamp ?? '';
        continue;
      }
      if (row.type === null || row.value === null) continue;
      const key = `${row.incident_id}\u0000${observableKey(row.type, row.value)}`;
      const ids = partial.get(key) ?? { version: row.version };
      if (row.kind === 'relationship') ids.relationshipId = row.object_id;
      else ids.objectId = row.object_id;
      partial.set(key, ids);
      if (ids.objectId && ids.relationshipId) {
        kept.observables.set(observableKey(row.type, row.value), ids as ObservableStixIds);
      }
    }
    for (const [id, kept] of out) if (!kept.version) out.delete(id);
    return out;
  }
}
