import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An evidence file's metadata; its bytes live in the AttachmentStore (attachment_chunks). */
@Entity('attachments')
@Index('attachments_incident_idx', { synchronize: false })
export class Attachment {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  incidentId!: string;

  /** Safe to show and to put in a Content-Disposition header. */
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  /** The filename as sent, when sanitising changed it. */
  @Column({ type: 'text', nullable: true })
  originalFilename!: string | null;

  @Column({ type: 'bigint' })
  size!: string;

  /** Detected from the bytes, never taken from the client. */
  @Column({ type: 'varchar', length: 100 })
  contentType!: string;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'char', length: 40 })
  sha1!: string;

  @Column({ type: 'char', length: 32 })
  md5!: string;

  @Column({ type: 'boolean', default: false })
  malware!: boolean;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 200 })
  uploadedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** Set when a coordinator destroyed the bytes; the metadata stays. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  deletedBy!: string | null;
}

/** The bytes of an attachment in fixed-size pieces (PgAttachmentStore). */
@Entity('attachment_chunks')
export class AttachmentChunk {
  @PrimaryColumn({ type: 'uuid' })
  attachmentId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @Column({ type: 'bytea' })
  data!: Buffer;
}
