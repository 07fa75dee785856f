import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type DispatchStatus = 'pending' | 'notified' | 'acknowledged';

@Entity('dispatches')
@Unique(['incidentId', 'state'])
@Index('dispatches_state_idx', ['state', 'incidentId'])
@Index('dispatches_deadline_idx', { synchronize: false })
@Index('dispatches_unacknowledged_idx', { synchronize: false })
@Index('dispatches_state_deadline_idx', { synchronize: false })
export class Dispatch {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;

  @Column({ type: 'char', length: 2 })
  state!: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status!: DispatchStatus;

  @Column({ type: 'timestamptz', nullable: true })
  notifiedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ type: 'int', default: 0 })
  escalationLevel!: number;

  /** When the last escalation happened (the base of a deadline recomputed after a severity change). */
  @Column({ type: 'timestamptz', nullable: true })
  escalatedAt!: Date | null;

  /** When the next escalation is due; null once acknowledged or at the maximum level. */
  @Column({ type: 'timestamptz', nullable: true })
  ackDeadline!: Date | null;

  /**
   * The transaction that created the dispatch or last changed `ack_deadline`; set by
   * triggers dispatches_deadline_xid*. Pages by deadline leave out what changed during a walk.
   */
  @Column({ type: 'bigint', nullable: true })
  deadlineXid!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
