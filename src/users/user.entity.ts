import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Role } from '../common/principal.js';

/** A person who signs in. Secrets are stored only hashed (password, tokens) or sealed (TOTP). */
@Entity('users')
@Index(['oidcIssuer', 'oidcSubject'], { unique: true })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'varchar', length: 200 })
  displayName!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 20 })
  role!: Role;

  @Column({ type: 'char', length: 2, nullable: true })
  state!: string | null;

  @Column({ type: 'varchar', length: 2, default: 'ru' })
  locale!: string;

  /** argon2id (PHC string); null until activated, and after a reset. */
  @Column({ type: 'text', nullable: true })
  passwordHash!: string | null;

  /** SHA-256 of the one-time activation token (256-bit random, so a fast digest is safe). */
  @Index({ unique: true })
  @Column({ type: 'char', length: 64, nullable: true })
  activationTokenHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  activationExpiresAt!: Date | null;

  /** TOTP secret sealed with SecretBox once enrolment is confirmed. */
  @Column({ type: 'text', nullable: true })
  totpSecret!: string | null;

  /** Sealed secret offered by an enrolment not yet confirmed. */
  @Column({ type: 'text', nullable: true })
  totpPendingSecret!: string | null;

  /** The last accepted TOTP time step: a code is never accepted twice. */
  @Column({ type: 'bigint', nullable: true })
  totpLastStep!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Set for people who sign in through OpenID Connect: issuer and subject. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  oidcIssuer!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  oidcSubject!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}

/** One of a user's ten one-time recovery codes, stored as its SHA-256 (codes are 80-bit random). */
@Entity('user_recovery_codes')
export class RecoveryCode {
  @PrimaryColumn('uuid')
  userId!: string;

  @PrimaryColumn({ type: 'char', length: 64 })
  codeHash!: string;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
