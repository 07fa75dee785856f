import type { ChangeSet } from '../common/change-set.js';
import type { Msg } from '../i18n/i18n.js';

/**
 * The imports module's writes that must commit with an incident: the item's outcome and the
 * (source, external id) → version record. Fragments of the filing's or the revision's
 * statement (incidents/intake-statement.ts `extra`, incidents/revision.service.ts).
 */

export type Outcome = 'imported' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export interface ItemRecord {
  importId: string;
  position: number;
  ref: string;
  outcome: Outcome;
  message: Msg | null;
  members: string[];
}

export interface ObjectRecord {
  source: string;
  externalId: string;
  version: string;
  contentHash: string;
}

/**
 * For a filing: both rows take the id of the `incident` CTE, so nothing is written when the
 * filing writes nothing. A concurrent import of the same object makes the INSERT into
 * imported_objects fail on its key, and the whole filing with it (the runner then finds the
 * object and compares versions).
 */
export function filedFragment(cs: ChangeSet, item: ItemRecord, object: ObjectRecord): void {
  cs.with(
    'import_item',
    `INSERT INTO import_items (import_id, position, ref, outcome, incident_id, message, members)
     SELECT ${cs.add(item.importId)}::uuid, ${cs.add(item.position)}::int, ${cs.add(item.ref)},
       ${cs.add(item.outcome)}, incident.id, ${cs.add(item.message)}::jsonb, ${cs.add(item.members)}::text[]
     FROM incident`,
  );
  cs.with(
    'imported_object',
    `INSERT INTO imported_objects (source, external_id, version, content_hash, incident_id)
     SELECT ${cs.add(object.source)}, ${cs.add(object.externalId)}, ${cs.add(object.version)},
       ${cs.add(object.contentHash)}, incident.id
     FROM incident`,
  );
}

/** For a revision of `incidentId`: the item, and the object's new version. */
export function revisedFragment(
  cs: ChangeSet,
  incidentId: string,
  item: ItemRecord,
  object: ObjectRecord,
): void {
  cs.with(
    'import_item',
    `INSERT INTO import_items (import_id, position, ref, outcome, incident_id, message, members)
     VALUES (${cs.add(item.importId)}::uuid, ${cs.add(item.position)}::int, ${cs.add(item.ref)},
       ${cs.add(item.outcome)}, ${cs.add(incidentId)}::uuid, ${cs.add(item.message)}::jsonb,
       ${cs.add(item.members)}::text[])`,
  );
  cs.with(
    'imported_object',
    `UPDATE imported_objects SET version = ${cs.add(object.version)},
       content_hash = ${cs.add(object.contentHash)}, updated_at = now()
     WHERE source = ${cs.add(object.source)} AND external_id = ${cs.add(object.externalId)}`,
  );
}
