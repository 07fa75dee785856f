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

/** One row of stix_objects with, for an observable's objects, the observable's type and value. */
export interface KeptRow {
  incident_id: string;
  kind: string;
  object_id: string;
  version: string;
  event_timestamp: string | null;
  type: string | null;
  value: string | null;
}

/** The select list of a KeptRow from `stix_objects s` joined with KEPT_JOIN. */
export const KEPT_COLUMNS = `s.incident_id, s.kind, s.object_id, ${isoMicrosSql('s.version')} AS version,
  s.event_timestamp, o.type, o.value`;
/** The observable an object of `stix_objects s` was made for (none for the incident's own). */
export const KEPT_JOIN = `LEFT JOIN incident_observables o
  ON o.incident_id = s.incident_id AND o.position = s.position`;

/**
 * The kept ids and versions of `rows`, by incident. An incident whose own `incident` row is
 * not among them is left out; an observable is listed once both its objects are.
 */
export function foldKept(rows: readonly KeptRow[]): Map<string, KeptStix> {
  const out = new Map<string, KeptStix>();
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
    if (incidentIds.length === 0) return new Map();
    const rows = await sql<KeptRow>(
      db,
      `SELECT ${KEPT_COLUMNS} FROM stix_objects s ${KEPT_JOIN}
       WHERE s.incident_id = ANY($1::uuid[])`,
      [incidentIds],
    );
    return foldKept(rows);
  }
}
