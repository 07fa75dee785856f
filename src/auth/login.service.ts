import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Role } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { passwordMatches } from '../users/passwords.js';
import { SecondFactorService } from '../users/second-factor.service.js';
import { toUserView, USER_COLUMNS, userActor, UserRow, UserView } from '../users/user-view.js';
import { LoginDto } from './dto/auth.dto.js';
import { LoginLimiter } from './login-limiter.js';
import { msg, type Msg } from '../i18n/i18n.js';

export interface SignedIn {
  user: UserView;
  csrfToken: string;
  /** For the cookie only; never in a response body. */
  token: string;
}

type LoginRow = UserRow & { password_hash: string | null; totp_secret: string | null };

const invalidCredentials = () =>
  new Problem(401, 'invalid-credentials', msg('problem.invalidCredentials'));
const secondFactorRequired = (detail: Msg) => new Problem(401, 'second-factor-required', detail);

/** Local sign-in: limits, password, second factor, then a session. */
@Injectable()
export class LoginService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limiter: LoginLimiter,
    private readonly sessions: SessionsService,
    private readonly secondFactor: SecondFactorService,
    private readonly audit: AuditService,
  ) {}

  async login(dto: LoginDto, address: string): Promise<SignedIn> {
    const username = dto.username.trim().toLowerCase();
    const wait = await this.limiter.blockedFor(username, address);
    if (wait !== null) {
      throw new Problem(
        429,
        'too-many-sign-in-attempts',
        msg('problem.tooManySignIns'),
        undefined,
        { 'Retry-After': String(wait) },
      );
    }
    const [user] = await sql<LoginRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, password_hash, totp_secret FROM users WHERE username = $1`,
      [username],
    );
    // Unknown, disabled and not-yet-activated users cost one argon2 check like everyone.
    const usable = user && !user.disabled ? user : undefined;
    if (!(await passwordMatches(usable?.password_hash ?? null, dto.password))) {
      await this.fail(username, address, user, 'invalid-credentials');
      throw invalidCredentials();
    }
    const account = usable!;
    let factor: 'totp' | 'recovery' | null = null;
    if (account.totp_secret) {
      if (!dto.code) throw secondFactorRequired(msg('problem.codeMissing'));
      factor = await this.secondFactor.check(account.id, account.totp_secret, dto.code);
      if (!factor) {
        await this.fail(username, address, account, 'wrong-second-factor');
        throw secondFactorRequired(msg('problem.codeWrong'));
      }
    }
    await this.limiter.succeeded(username);
    const session = await this.dataSource.transaction(async (manager) => {
      const started = await this.sessions.create(account.id, 'password', manager);
      await manager.query('UPDATE users SET last_login_at = now() WHERE id = $1', [account.id]);
      await this.audit.append(manager, {
        actor: userActor(account),
        action: 'user.signed-in',
        targetType: 'user',
        targetId: account.id,
        change: { method: 'password', secondFactor: factor, address, session: started.id },
      });
      return started;
    });
    if (Math.random() < 0.02) void this.sessions.purgeExpired().catch(() => undefined);
    return {
      user: toUserView({ ...account, last_login_at: new Date() }),
      csrfToken: session.csrfToken,
      token: session.token,
    };
  }

  /** Counts the failure and writes it to the audit log (never what was typed as password). */
  private async fail(
    username: string,
    address: string,
    user: { id: string; role: Role; state: string | null; username: string } | undefined,
    reason: string,
  ): Promise<void> {
    await this.limiter.failed(username, address);
    await this.audit.appendNow({
      actor: 'anonymous',
      action: 'user.sign-in-failed',
      targetType: 'user',
      // Only a known username is recorded: an unknown one may be a password typed too early.
      targetId: user?.id ?? null,
      change: { username: user ? user.username : null, reason, address },
    });
  }
}
