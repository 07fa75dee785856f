import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The STIX objects an incident is exchanged as, one row per object (current version only):
 * its `incident`, and per observable an `indicator` (`vulnerability` for a CVE) and a
 * `relationship`. Written only by `ccc_stix_index` (migrations StixObjects and
 * StixIndexQueue) for the incidents the trigger `incidents_stix_*` queued in stix_pending at
 * commit of any transaction that files or changes one, so no writer of incidents has to
 * know about it. It holds what must not change between exports:
 * - `object_id`: generated once (UUIDv4) and kept, as STIX wants for SDOs and SROs;
 * - `version`: the object's `modified`; a change of the incident gives its `incident` a new one;
 * - `date_added`: when this version was added (TAXII), unique, and increasing in commit
 *   order (the indexer holds the one-row stix_clock lock until it commits), so a TAXII
 *   client paging with `added_after` never misses an object committed after its last page.
 */
@Entity('stix_objects')
@Index('stix_objects_date_added_idx', ['dateAdded'], { unique: true })
@Index('stix_objects_incident_idx', ['incidentId', 'position', 'kind'], { unique: true })
export class StixObjectRow {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  objectId!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;

  /** `incident`, `indicator`, `vulnerability` or `relationship`. */
  @Column({ type: 'varchar', length: 20 })
  kind!: string;

  /** The observable's `incident_observables.position`; null for the incident itself. */
  @Column({ type: 'int', nullable: true })
  position!: number | null;

  @Column({ type: 'timestamptz' })
  version!: Date;

  @Column({ type: 'timestamptz' })
  dateAdded!: Date;

  /**
   * For the `incident` row: the MISP event `timestamp` (epoch seconds) of this version. It
   * grows by at least one with every version, so MISP, which updates an event only when its
   * timestamp grows, sees two changes within one second too.
   */
  @Column({ type: 'bigint', nullable: true })
  eventTimestamp!: string | null;
}

/**
 * One row: the last `date_added` handed out. Locked by each indexing transaction until its
 * commit, it orders the transactions that add STIX objects, and so their `date_added`.
 */
@Entity('stix_clock')
export class StixClock {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'timestamptz' })
  last!: Date;
}

/**
 * Incidents whose STIX objects are behind: the trigger `incidents_stix_*` appends one row at
 * commit of every transaction that files or changes an incident (never a key that could make
 * it wait), and StixIndexer turns them into stix_objects rows in batches (migration
 * StixIndexQueue).
 */
@Entity('stix_pending')
export class StixPending {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;
}
