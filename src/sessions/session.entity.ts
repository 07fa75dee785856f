import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A person's signed-in session. The cookie holds a random token; only its SHA-256 is kept. */
@Entity('sessions')
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index({ unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Index()
  @Column({ type: 'uuid' })
  userId!: string;

  /** Secret of the session's CSRF tokens (@fastify/csrf); never leaves the server. */
  @Column({ type: 'varchar', length: 100 })
  csrfSecret!: string;

  /** `password` or `oidc`. */
  @Column({ type: 'varchar', length: 10 })
  method!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The absolute end (CCC_SESSION_MAX_HOURS after sign-in). */
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
