import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ReportKind = 'weekly' | 'monthly' | 'on-demand';
export type ReportStatus = 'queued' | 'running' | 'ready' | 'failed';

@Entity('reports')
@Index('reports_period_unique', { synchronize: false })
@Index('reports_created_idx', { synchronize: false })
export class Report {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 10 })
  kind!: ReportKind;

  @Column({ type: 'timestamptz' })
  periodFrom!: Date;

  @Column({ type: 'timestamptz' })
  periodTo!: Date;

  @Column({ type: 'varchar', length: 10 })
  audience!: 'community' | 'public';

  @Column({ type: 'varchar', length: 10, default: 'queued' })
  status!: ReportStatus;

  @Column({ type: 'jsonb', nullable: true })
  content!: unknown;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  requestedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
