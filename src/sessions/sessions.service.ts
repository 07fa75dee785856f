import { Inject, Injectable } from '@nestjs/common';
import Tokens from '@fastify/csrf';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../common/principal.js';
import { prepared, sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';

/** The cookie that carries a person's session token. */
export const SESSION_COOKIE = 'ccc_session';

/** A live session with its user, as the guard needs it on every request. */
export interface LiveSession {
  id: string;
  csrfSecret: string;
  userId: string;
  username: string;
  role: Role;
  state: string | null;
  totpEnrolled: boolean;
  /** The person's language (`ru` or `en`): problems are written in it without Accept-Language. */
  locale: string;
  /** Signed in through single sign-on: the second factor is the provider's. */
  viaOidc: boolean;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sessions live in PostgreSQL and are looked up on every request (no cache): deleting a
 * row ends the session at once on every instance. Only the token's SHA-256 is stored.
 */
@Injectable()
export class SessionsService {
  private readonly csrf = Tokens();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a session; the token goes into the cookie and nowhere else. */
  async create(
    userId: string,
    method: 'password' | 'oidc',
    manager: EntityManager | DataSource = this.dataSource,
  ): Promise<{ id: string; token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfSecret = this.csrf.secretSync();
    const [row] = await sql<{ id: string }>(
      manager,
      `INSERT INTO sessions (token_hash, user_id, csrf_secret, method, last_seen_at, expires_at)
       VALUES ($1, $2, $3, $4, now(), now() + make_interval(hours => $5)) RETURNING id`,
      [hashToken(token), userId, csrfSecret, method, this.config.sessionMaxHours],
    );
    return { id: row.id, token, csrfToken: this.csrf.create(csrfSecret) };
  }

  /**
   * The session for a cookie token, or null when it is unknown, idle too long, past its
   * absolute end, or its user is disabled. Marks it used (at most every 30 s, to spare writes).
   */
  async lookup(token: string): Promise<LiveSession | null> {
    const rows = await prepared<LiveSession>(
      this.dataSource,
      'session_lookup',
      `WITH s AS (
         SELECT s.id, s.csrf_secret AS "csrfSecret", u.id AS "userId", u.username, u.role,
           u.state, u.locale, u.totp_secret IS NOT NULL AS "totpEnrolled", s.method = 'oidc' AS "viaOidc"
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled
           AND s.last_seen_at > now() - make_interval(mins => $2)),
       touched AS (
         UPDATE sessions SET last_seen_at = now()
         WHERE id = (SELECT id FROM s) AND last_seen_at < now() - interval '30 seconds')
       SELECT * FROM s`,
      [hashToken(token), this.config.sessionIdleMinutes],
    );
    return rows[0] ?? null;
  }

  /** A fresh CSRF token for the session (each differs; all verify against its secret). */
  csrfToken(session: Pick<LiveSession, 'csrfSecret'>): string {
    return this.csrf.create(session.csrfSecret);
  }

  /** A CSRF token for a session known to be live (the guard just looked it up). */
  async csrfTokenOf(sessionId: string): Promise<string> {
    const [row] = await sql<{ csrf_secret: string }>(
      this.dataSource,
      'SELECT csrf_secret FROM sessions WHERE id = $1',
      [sessionId],
    );
    if (!row) throw new Error('session ended');
    return this.csrf.create(row.csrf_secret);
  }

  verifyCsrf(session: Pick<LiveSession, 'csrfSecret'>, token: string | undefined): boolean {
    return typeof token === 'string' && this.csrf.verify(session.csrfSecret, token);
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
  }

  /** Ends every session of a user (but `keep`), inside the caller's transaction. */
  async endAllOf(manager: EntityManager, userId: string, keep?: string): Promise<number> {
    const rows = await sql(
      manager,
      'DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2 RETURNING id',
      [userId, keep ?? null],
    );
    return rows.length;
  }

  /** Whether a role must have a second factor before its session may do anything else. */
  requiresTotp(session: LiveSession): boolean {
    return (
      !session.viaOidc && !session.totpEnrolled && this.config.requireTotp.includes(session.role)
    );
  }

  /** `Set-Cookie` attributes per the contract; `Secure` when the public URL is https. */
  cookieOptions(maxAgeSeconds?: number) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      path: '/',
      secure: this.config.publicUrl.startsWith('https:'),
      ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
    };
  }

  /** Purges sessions past their end (called now and then; lookups ignore them anyway). */
  async purgeExpired(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM sessions WHERE expires_at <= now()
         OR last_seen_at <= now() - make_interval(mins => $1)`,
      [this.config.sessionIdleMinutes],
    );
  }
}
