import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One import request (POST /imports/stix|misp, TAXII add objects), owned by the imports
 * module. The request stores the input and who sent it; the import job (carrying only the
 * id) maps and files it item by item, recording each outcome in `import_items` in the same
 * statement or transaction that files or updates its incident. So a crash loses nothing that
 * was reported imported, and the job, run again, continues after the last recorded item.
 */
@Entity('imports')
@Index('imports_pending_idx', ['createdAt'], { where: "status = 'pending'" })
@Index('imports_finished_idx', ['completedAt'], { where: "status <> 'pending'" })
export class ImportRow {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** `stix`, `misp` or `taxii` (TAXII add objects: a STIX envelope). */
  @Column({ type: 'varchar', length: 10 })
  format!: string;

  /** `pending`, `complete` or `failed`. */
  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status!: string;

  /** The member state the items are filed for (the importer's, or a coordinator's choice). */
  @Column({ type: 'varchar', length: 2 })
  reportingState!: string;

  /** The importer: API key or user id, role, name and kind, as the filing needs them. */
  @Column({ type: 'jsonb' })
  importer!: Record<string, unknown>;

  /** Query defaults: tlp, category, severity, sector, title. */
  @Column({ type: 'jsonb' })
  defaults!: Record<string, unknown>;

  /** The input as received (JSON text); cleared once the import is complete. */
  @Column({ type: 'text', nullable: true })
  payload!: string | null;

  /** TAXII add objects: `[{id, version}]` of the objects posted (the status lists them). */
  @Column({ type: 'jsonb', nullable: true })
  objects!: { id: string; version: string | null }[] | null;

  /** Items the input maps to (set when the job has mapped it; 0 before). */
  @Column({ type: 'int', default: 0 })
  total!: number;

  /** Why the whole import failed (a catalogue message), when it did. */
  @Column({ type: 'jsonb', nullable: true })
  message!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** The outcome of one item of an import: an incident filed, updated, unchanged, or not. */
@Entity('import_items')
export class ImportItemRow {
  @PrimaryColumn({ type: 'uuid' })
  importId!: string;

  /** The item's place in the mapping (candidates first, then what was skipped). */
  @PrimaryColumn({ type: 'int' })
  position!: number;

  /** The STIX object id, MISP event or attribute uuid, or a path into the input. */
  @Column({ type: 'text' })
  ref!: string;

  /** `imported`, `updated`, `unchanged`, `skipped` or `failed`. */
  @Column({ type: 'varchar', length: 10 })
  outcome!: string;

  @Column({ type: 'uuid', nullable: true })
  incidentId!: string | null;

  /** A catalogue message `{key, values}`, rendered in the reader's language. */
  @Column({ type: 'jsonb', nullable: true })
  message!: Record<string, unknown> | null;

  /** STIX ids of the input's objects this item was made of (TAXII status). */
  @Column({ type: 'text', array: true })
  members!: string[];
}

/**
 * What was imported from where: one row per (reporting state, external id), with the last
 * version and content imported and the incident it became. Re-importing the same version and
 * content changes nothing; a newer version updates the incident.
 */
@Entity('imported_objects')
export class ImportedObjectRow {
  @PrimaryColumn({ type: 'varchar', length: 2 })
  source!: string;

  /** The STIX id, `bundle--…`/`envelope--…`, or the MISP event uuid. */
  @PrimaryColumn({ type: 'text' })
  externalId!: string;

  @Column({ type: 'text' })
  version!: string;

  /** SHA-256 of the mapped content: the same version with other content still updates. */
  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
