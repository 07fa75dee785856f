import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { keyset, Page } from '../common/pagination.js';
import { actorOf, Principal, Role } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { hashToken, SessionsService } from '../sessions/sessions.service.js';
import { ActivationMailer } from './activation.mailer.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { passwordProblem } from './password-policy.js';
import { hashPassword, passwordMatches } from './passwords.js';
import { toUserView, USER_COLUMNS, userActor, UserRow, UserView } from './user-view.js';
import { msg } from '../i18n/i18n.js';

const ACTIVATION_HOURS = 72;

/** What an admin gets once when creating or resetting a user. */
export interface Activation {
  activationToken: string;
  activationExpiresAt: string;
  activationEmailed: boolean;
}

/** Users and their credentials: creation, changes, resets, activation and passwords. */
/** Oldest first: the order accounts were created in. */
const OLDEST_FIRST = keyset({
  name: 'users',
  direction: 'asc',
  columns: [
    { sql: 'created_at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
});

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    private readonly mailer: ActivationMailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(dto: CreateUserDto, actor: string): Promise<UserView & Activation> {
    const token = newToken();
    const state = dto.role === 'analyst' ? dto.state! : null;
    const displayName = dto.displayName ?? dto.username;
    const locale = dto.locale ?? 'ru';
    const row = await this.dataSource.transaction(async (manager) => {
      const [created] = await sql<UserRow & { activation_expires_at: Date }>(
        manager,
        `INSERT INTO users (username, display_name, email, role, state, locale,
           activation_token_hash, activation_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(hours => $8))
         ON CONFLICT (username) DO NOTHING
         RETURNING ${USER_COLUMNS}, activation_expires_at`,
        [
          dto.username,
          displayName,
          dto.email ?? null,
          dto.role,
          state,
          locale,
          hashToken(token),
          ACTIVATION_HOURS,
        ],
      );
      if (!created)
        throw Problem.conflict(msg('problem.conflict.usernameTaken', { username: dto.username }));
      await this.audit.append(manager, {
        actor,
        action: 'user.created',
        targetType: 'user',
        targetId: created.id,
        change: { username: dto.username, role: dto.role, state, email: dto.email ?? null },
      });
      return created;
    });
    const emailed = await this.mailer.send(row.email, { ...dto, displayName, locale }, token);
    return {
      ...toUserView(row),
      activationToken: token,
      activationExpiresAt: row.activation_expires_at.toISOString(),
      activationEmailed: emailed,
    };
  }

  async list(principal: Principal, q: ListUsersQuery): Promise<Page<UserView>> {
    if (principal.role === 'coordinator' && q.role !== 'coordinator') {
      throw Problem.forbidden(msg('problem.forbidden.coordinatorsList'));
    }
    const params = new SqlParams();
    const role = params.add(q.role ?? null);
    const rows = await sql<UserRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, ${OLDEST_FIRST.select} FROM users
       WHERE (${role}::text IS NULL OR role = ${role}) AND ${OLDEST_FIRST.after(q.cursor, params)}
       ORDER BY ${OLDEST_FIRST.orderBy} LIMIT ${params.add(q.limit + 1)}`,
      params.values,
    );
    return OLDEST_FIRST.toPage(rows, q.limit, q.cursor, toUserView);
  }

  async get(id: string): Promise<UserView> {
    const [row] = await sql<UserRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    if (!row) throw Problem.notFound('user');
    return toUserView(row);
  }

  /** Applies an admin's change; a new role, state or `disabled` ends every session at once. */
  async update(id: string, dto: UpdateUserDto, actor: Principal): Promise<UserView> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockedRow(manager, id);
      const role = dto.role ?? current.role;
      const state = role !== 'analyst' ? null : dto.state !== undefined ? dto.state : current.state;
      if (role === 'analyst' && !state) {
        throw Problem.validation([{ field: 'state', message: msg('v.requiredForAnalysts') }]);
      }
      if (role !== 'analyst' && dto.state !== undefined) {
        throw Problem.validation([{ field: 'state', message: msg('v.stateOnlyForAnalysts') }]);
      }
      const next = {
        display_name: dto.displayName ?? current.display_name,
        role,
        state,
        locale: dto.locale ?? current.locale,
        disabled: dto.disabled ?? current.disabled,
      };
      const change: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(next)) {
        const was = current[k as keyof typeof next];
        if (was !== v) change[k] = { from: was, to: v };
      }
      if (Object.keys(change).length === 0) return toUserView(current);
      const [row] = await sql<UserRow>(
        manager,
        `UPDATE users SET display_name = $2, role = $3, state = $4, locale = $5, disabled = $6
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, next.display_name, next.role, next.state, next.locale, next.disabled],
      );
      const endsSessions = 'role' in change || 'state' in change || 'disabled' in change;
      const ended = endsSessions ? await this.sessions.endAllOf(manager, id) : 0;
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'role' in change ? 'user.role-changed' : 'user.updated',
        targetType: 'user',
        targetId: id,
        change: { username: current.username, ...change, sessionsEnded: ended },
      });
      return toUserView(row);
    });
  }

  /** Ends sessions and clears password and second factor; a new activation token follows. */
  async reset(id: string, actor: string): Promise<UserView & Activation> {
    const token = newToken();
    const row = await this.dataSource.transaction(async (manager) => {
      await this.lockedRow(manager, id);
      const [updated] = await sql<UserRow & { activation_expires_at: Date; email: string | null }>(
        manager,
        `UPDATE users SET password_hash = NULL, totp_secret = NULL, totp_pending_secret = NULL,
           totp_last_step = NULL, activation_token_hash = $2,
           activation_expires_at = now() + make_interval(hours => $3)
         WHERE id = $1 RETURNING ${USER_COLUMNS}, activation_expires_at`,
        [id, hashToken(token), ACTIVATION_HOURS],
      );
      await manager.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [id]);
      const ended = await this.sessions.endAllOf(manager, id);
      await this.audit.append(manager, {
        actor,
        action: 'user.reset',
        targetType: 'user',
        targetId: id,
        change: { username: updated.username, sessionsEnded: ended },
      });
      return updated;
    });
    const emailed = await this.mailer.send(
      row.email,
      { username: row.username, displayName: row.display_name, locale: row.locale },
      token,
    );
    return {
      ...toUserView(row),
      activationToken: token,
      activationExpiresAt: row.activation_expires_at.toISOString(),
      activationEmailed: emailed,
    };
  }

  /** Sets the first password with a one-time token; the token then no longer works. */
  async activate(token: string, password: string): Promise<void> {
    const invalid = Problem.validation([{ field: 'token', message: msg('v.activationToken') }]);
    const [user] = await sql<{
      id: string;
      username: string;
      display_name: string;
      role: Role;
      state: string | null;
    }>(
      this.dataSource,
      `SELECT id, username, display_name, role, state FROM users
       WHERE activation_token_hash = $1 AND activation_expires_at > now()`,
      [hashToken(token)],
    );
    if (!user) throw invalid;
    this.checkPassword(password, user);
    const hash = await hashPassword(password);
    await this.dataSource.transaction(async (manager) => {
      // The token is consumed by this UPDATE: of two concurrent uses, one finds nothing.
      const rows = await sql(
        manager,
        `UPDATE users SET password_hash = $2, activation_token_hash = NULL,
           activation_expires_at = NULL
         WHERE id = $1 AND activation_token_hash = $3 AND activation_expires_at > now()
         RETURNING id`,
        [user.id, hash, hashToken(token)],
      );
      if (rows.length === 0) throw invalid;
      await this.audit.append(manager, {
        actor: userActor(user),
        action: 'user.activated',
        targetType: 'user',
        targetId: user.id,
        change: { username: user.username },
      });
    });
  }

  /** A signed-in person changes their password; their other sessions end. */
  async changePassword(
    principal: Principal,
    sessionId: string,
    current: string,
    password: string,
  ): Promise<'ok' | 'wrong-current'> {
    const [user] = await sql<{
      id: string;
      username: string;
      display_name: string;
      password_hash: string | null;
      sso: boolean;
    }>(
      this.dataSource,
      `SELECT id, username, display_name, password_hash, oidc_subject IS NOT NULL AS sso
       FROM users WHERE id = $1`,
      [principal.keyId],
    );
    if (!user) throw Problem.unauthorized();
    if (user.sso && !user.password_hash) {
      throw Problem.conflict(msg('problem.conflict.ssoAccount'));
    }
    if (!(await passwordMatches(user.password_hash, current))) return 'wrong-current';
    this.checkPassword(password, user);
    const hash = await hashPassword(password);
    await this.dataSource.transaction(async (manager) => {
      await manager.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, hash]);
      const ended = await this.sessions.endAllOf(manager, user.id, sessionId);
      await this.audit.append(manager, {
        actor: actorOf(principal),
        action: 'user.password-changed',
        targetType: 'user',
        targetId: user.id,
        change: { sessionsEnded: ended },
      });
    });
    return 'ok';
  }

  private checkPassword(password: string, user: { username: string; display_name: string }) {
    const problem = passwordProblem(password, {
      username: user.username,
      displayName: user.display_name,
    });
    if (problem) throw Problem.validation([{ field: 'password', message: problem }]);
  }

  private async lockedRow(manager: EntityManager, id: string): Promise<UserRow> {
    const [row] = await sql<UserRow>(
      manager,
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!row) throw Problem.notFound('user');
    return row;
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}
