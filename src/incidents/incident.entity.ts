import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

@Entity('incidents')
@Index('incidents_created_idx', { synchronize: false })
@Index('incidents_priority_idx', { synchronize: false })
@Index('incidents_search_idx', { synchronize: false })
@Index('incidents_status_created_idx', { synchronize: false })
@Index('incidents_status_priority_idx', { synchronize: false })
@Index('incidents_status_severity_tlp_created_idx', { synchronize: false })
@Index('incidents_reporting_created_idx', { synchronize: false })
@Index('incidents_resolved_idx', { synchronize: false })
@Index('incidents_updated_idx', { synchronize: false })
export class Incident {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 20 })
  reference!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 100 })
  category!: string;

  @Column({ type: 'varchar', length: 10 })
  severity!: string;

  /**
   * The transaction that last changed `severity` (the priority rank), null if none did; set
   * by trigger incidents_severity_xid. Priority pages leave out what changed during a walk.
   */
  @Column({ type: 'bigint', nullable: true })
  severityXid!: string | null;

  @Column({ type: 'varchar', length: 20 })
  tlp!: string;

  @Column({ type: 'varchar', length: 20 })
  sector!: string;

  @Column({ type: 'char', length: 2 })
  reportingState!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  affectedStates!: string[];

  /** Constituency matches withheld by TLP; visible to coordinators only. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  suggestedStates!: string[];

  @Column({ type: 'varchar', length: 20, default: 'new' })
  status!: string;

  @Index()
  @Column({ type: 'varchar', length: 100, nullable: true })
  assignee!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  occurredAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  detectedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  resolutionSummary!: string | null;

  @Column({ type: 'text', nullable: true })
  lessonsLearned!: string | null;

  @Column({ type: 'uuid', nullable: true })
  duplicateOf!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  /**
   * The transaction that last changed `updated_at`, null if none did; set by trigger
   * incidents_updated_xid. Pages by `-updatedAt` leave out what changed during a walk.
   */
  @Column({ type: 'bigint', nullable: true })
  updatedXid!: string | null;
}

@Entity('incident_observables')
@Index('incident_observables_value_idx', ['type', 'value', 'incidentId'])
export class IncidentObservable {
  @PrimaryColumn({ type: 'uuid' })
  incidentId!: string;

  @PrimaryColumn({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 10 })
  type!: string;

  @Column({ type: 'text' })
  value!: string;
}

/** One row per year; incrementing it inside the intake transaction keeps references gap-free. */
@Entity('reference_counters')
export class ReferenceCounter {
  @PrimaryColumn({ type: 'int' })
  year!: number;

  @Column({ type: 'int' })
  lastValue!: number;
}

@Entity('idempotency_keys')
export class IdempotencyKey {
  @PrimaryColumn({ type: 'uuid' })
  apiKeyId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'char', length: 64 })
  requestHash!: string;

  @Column({ type: 'int' })
  statusCode!: number;

  @Column({ type: 'jsonb' })
  response!: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Index()
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}

@Entity('timeline_events')
@Index('timeline_events_incident_idx', { synchronize: false })
@Index('timeline_events_transitioned_idx', { synchronize: false })
export class TimelineEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'varchar', length: 30 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;
}
