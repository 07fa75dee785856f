import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';

/** One event for one party, written in the same transaction as the change it reports. */
@Entity('outbox')
@Index('outbox_unpublished_idx', { synchronize: false })
export class OutboxEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Index({ unique: true })
  @Generated('uuid')
  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  @Column({ type: 'varchar', length: 3 })
  party!: string;

  @Column({ type: 'uuid', nullable: true })
  incidentId!: string | null;

  /** The event body `{id, type, occurredAt, data}` as this party may see it. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event to one contact; its id is the stable `webhook-id`. */
@Entity('deliveries')
@Unique(['eventId', 'contactId'])
@Index('deliveries_pending_idx', { synchronize: false })
@Index(['status', 'createdAt'])
export class Delivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  @Column({ type: 'varchar', length: 40 })
  event!: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  incidentId!: string | null;

  @Column({ type: 'varchar', length: 3 })
  party!: string;

  @Column({ type: 'uuid', nullable: true })
  contactId!: string | null;

  @Column({ type: 'varchar', length: 10 })
  channel!: 'webhook' | 'email';

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

@Entity('delivery_attempts')
@Index(['deliveryId', 'attempt'])
export class DeliveryAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  deliveryId!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'int' })
  durationMs!: number;
}
