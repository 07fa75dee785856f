import { Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';

/** Append-only (a trigger refuses UPDATE and DELETE); `hash` chains each entry to the one before. */
@Entity('audit_log')
@Index(['action', 'seq'])
@Index('audit_log_target_idx', { synchronize: false })
@Index('audit_log_actor_idx', { synchronize: false })
@Index('audit_log_at_idx', { synchronize: false })
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Index({ unique: true })
  @Generated('uuid')
  @Column({ type: 'uuid' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 60 })
  action!: string;

  @Column({ type: 'varchar', length: 40 })
  targetType!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  targetId!: string | null;

  /** Canonical JSON text (sorted keys) so the hash can be recomputed byte for byte. */
  @Column({ type: 'text' })
  change!: string;

  @Column({ type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
