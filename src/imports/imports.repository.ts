import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { sql } from '../common/sql.js';
import type { ImportDefaults } from './dto/import-query.dto.js';
import type { ItemRecord } from './import-records.js';

export type ImportFormat = 'stix' | 'misp' | 'taxii';

export interface ImportHead {
  id: string;
  format: ImportFormat;
  status: 'pending' | 'complete' | 'failed';
  reportingState: string;
  importer: Principal;
  defaults: ImportDefaults;
  objects: { id: string; version: string | null }[] | null;
  total: number;
  message: Record<string, unknown> | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface ItemRow {
  position: number;
  ref: string;
  outcome: string;
  incidentId: string | null;
  message: Record<string, unknown> | null;
  members: string[];
}

export interface ImportedObject {
  version: string;
  contentHash: string;
  incidentId: string;
}

const HEAD = `id, format, status, reporting_state AS "reportingState", importer, defaults, objects,
  total, message, created_at AS "createdAt", completed_at AS "completedAt"`;

/**
 * The one reader and writer of `imports`, `import_items` and `imported_objects` (besides
 * the fragments of import-records.ts, which commit with an incident).
 */
@Injectable()
export class ImportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(row: {
    id: string;
    format: ImportFormat;
    reportingState: string;
    importer: Principal;
    defaults: ImportDefaults;
    payload: Buffer;
    objects: { id: string; version: string | null }[] | null;
  }): Promise<void> {
    // The payload goes as UTF-8 bytes: pg sends a Buffer in binary format, which for a text
    // parameter is the text itself (never a JavaScript string of up to 32 MiB).
    await sql(
      this.dataSource,
      `INSERT INTO imports (id, format, reporting_state, importer, defaults, payload, objects)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::text, $7::jsonb)`,
      [
        row.id,
        row.format,
        row.reportingState,
        JSON.stringify(row.importer),
        JSON.stringify(row.defaults),
        row.payload,
        row.objects === null ? null : JSON.stringify(row.objects),
      ],
    );
  }

  /**
   * The import if `principal` may see it: coordinators and admins every one, an analyst
   * those filed for its own state (the reporting state's rule of incidents).
   */
  async findVisible(principal: Principal, id: string): Promise<ImportHead | null> {
    const [row] = await sql<ImportHead>(
      this.dataSource,
      `SELECT ${HEAD} FROM imports
       WHERE id = $1 AND ($2::text IS NULL OR reporting_state = $2)`,
      [id, principal.role === 'analyst' ? principal.state : null],
    );
    return row ?? null;
  }

  async head(id: string): Promise<ImportHead | null> {
    const [row] = await sql<ImportHead>(
      this.dataSource,
      `SELECT ${HEAD} FROM imports WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  async payload(id: string): Promise<string | null> {
    const [row] = await sql<{ payload: string | null }>(
      this.dataSource,
      `SELECT payload FROM imports WHERE id = $1`,
      [id],
    );
    return row?.payload ?? null;
  }

  /**
   * The items in order. Their `members` (the object ids an item took) only when asked: the
   * TAXII status needs them, the import view does not, and an import of 45,000 objects would
   * parse them on every poll.
   */
  async items(id: string, withMembers = false): Promise<ItemRow[]> {
    return sql<ItemRow>(
      this.dataSource,
      `SELECT position, ref, outcome, incident_id AS "incidentId", message,
              CASE WHEN $2 THEN members ELSE '{}'::text[] END AS members
       FROM import_items WHERE import_id = $1 ORDER BY position`,
      [id, withMembers],
    );
  }

  async donePositions(id: string): Promise<Set<number>> {
    const rows = await sql<{ position: number }>(
      this.dataSource,
      `SELECT position FROM import_items WHERE import_id = $1`,
      [id],
    );
    return new Set(rows.map((r) => r.position));
  }

  /** Items that commit with no incident (skipped, unchanged, failed); a repeat is a no-op. */
  async record(items: ItemRecord[], incidentIds: (string | null)[] = []): Promise<void> {
    if (items.length === 0) return;
    await sql(
      this.dataSource,
      `INSERT INTO import_items (import_id, position, ref, outcome, incident_id, message, members)
       SELECT i.import_id, i.position, i.ref, i.outcome, i.incident_id, i.message, '{}'::text[]
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[], $6::jsonb[])
         AS i(import_id, position, ref, outcome, incident_id, message)
       ON CONFLICT (import_id, position) DO NOTHING`,
      [
        items.map((i) => i.importId),
        items.map((i) => i.position),
        items.map((i) => i.ref),
        items.map((i) => i.outcome),
        items.map((_, n) => incidentIds[n] ?? null),
        items.map((i) => (i.message === null ? null : JSON.stringify(i.message))),
      ],
    );
  }

  async importedObject(source: string, externalId: string): Promise<ImportedObject | null> {
    const [row] = await sql<ImportedObject>(
      this.dataSource,
      `SELECT version, content_hash AS "contentHash", incident_id AS "incidentId"
       FROM imported_objects WHERE source = $1 AND external_id = $2`,
      [source, externalId],
    );
    return row ?? null;
  }

  async setTotal(id: string, total: number): Promise<void> {
    await sql(this.dataSource, `UPDATE imports SET total = $2 WHERE id = $1`, [id, total]);
  }

  /** Complete or failed; the input is dropped (the items say what became of it). */
  async finish(id: string, status: 'complete' | 'failed', message: unknown = null): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE imports SET status = $2, message = $3::jsonb, payload = NULL, completed_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [id, status, message === null ? null : JSON.stringify(message)],
    );
  }

  /** Pending imports older than a few seconds (a request commits before it enqueues). */
  async pendingIds(limit: number): Promise<string[]> {
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `SELECT id FROM imports WHERE status = 'pending' AND created_at < now() - interval '5 seconds'
       ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Deletes, in one statement, the oldest imports that finished (complete or failed) more
   * than `retentionHours` ago, with their items: up to `maxImports` of them, and no more
   * than `maxItems` items unless the first alone has more (its `total` is its item count).
   * A pending import is never taken; rows another purge holds are skipped. Returns how many
   * imports were deleted. (`= ANY (ARRAY(…))` keeps the items' primary key in use whatever
   * the planner guesses of the batch's size.)
   */
  async purgeFinished(
    retentionHours: number,
    maxImports: number,
    maxItems: number,
  ): Promise<number> {
    const rows = await sql(
      this.dataSource,
      `WITH candidates AS (
         SELECT id, total, completed_at FROM imports
         WHERE status <> 'pending' AND completed_at < now() - make_interval(hours => $1)
         ORDER BY completed_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), picked AS (
         SELECT id FROM (
           SELECT id, row_number() OVER w AS n, sum(greatest(total, 1)) OVER w AS upto
           FROM candidates WINDOW w AS (ORDER BY completed_at, id)) c
         WHERE n = 1 OR upto <= $3
       ), items AS (
         DELETE FROM import_items WHERE import_id = ANY (ARRAY(SELECT id FROM picked))
       )
       DELETE FROM imports WHERE id = ANY (ARRAY(SELECT id FROM picked)) RETURNING 1`,
      [retentionHours, maxImports, maxItems],
    );
    return rows.length;
  }
}
