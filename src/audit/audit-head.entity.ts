import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The newest entry of the audit chain, in one row. Every append moves it with an UPDATE in
 * the appending transaction: the row lock orders appends across instances until commit, and
 * an UPDATE always sees the latest committed head, also inside a single statement (where a
 * SELECT of the log's last row would read a stale snapshot). A trigger refuses DELETE and
 * any UPDATE that is not a step of one.
 */
@Entity('audit_head')
export class AuditHead {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
