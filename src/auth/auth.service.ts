import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { SecondFactorService } from '../users/second-factor.service.js';
import { UsersService } from '../users/users.service.js';
import { ActivateDto, ChangePasswordDto, LoginDto } from './dto/auth.dto.js';
import { LoginLimiter } from './login-limiter.js';
import { LoginService } from './login.service.js';
import { msg } from '../i18n/i18n.js';

/** What the /auth routes do, each in one call. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly login_: LoginService,
    private readonly secondFactor: SecondFactorService,
    private readonly limiter: LoginLimiter,
    private readonly audit: AuditService,
  ) {}

  activate(dto: ActivateDto) {
    return this.users.activate(dto.token, dto.password);
  }

  login(dto: LoginDto, address: string) {
    return this.login_.login(dto, address);
  }

  cookieOptions() {
    return this.sessions.cookieOptions();
  }

  async me(principal: Principal, sessionId: string) {
    const user = await this.users.get(principal.keyId);
    return { user, csrfToken: await this.sessions.csrfTokenOf(sessionId) };
  }

  async logout(principal: Principal, sessionId: string) {
    await this.sessions.end(sessionId);
    await this.audit.appendNow({
      actor: actorOf(principal),
      action: 'user.signed-out',
      targetType: 'user',
      targetId: principal.keyId,
      change: { session: sessionId },
    });
  }

  beginTotp(principal: Principal) {
    return this.secondFactor.begin(principal);
  }

  confirmTotp(principal: Principal, code: string) {
    return this.secondFactor.confirm(principal, code);
  }

  /** A wrong current password counts as a failed sign-in (a stolen session cannot guess it). */
  async changePassword(
    principal: Principal,
    sessionId: string,
    dto: ChangePasswordDto,
    address: string,
  ) {
    const wait = await this.limiter.blockedFor(principal.name, address);
    if (wait !== null) {
      throw new Problem(
        429,
        'too-many-sign-in-attempts',
        msg('problem.tooManyAttempts'),
        undefined,
        {
          'Retry-After': String(wait),
        },
      );
    }
    const outcome = await this.users.changePassword(
      principal,
      sessionId,
      dto.current,
      dto.password,
    );
    if (outcome === 'wrong-current') {
      await this.limiter.failed(principal.name, address);
      throw Problem.validation([{ field: 'current', message: msg('v.notCurrentPassword') }]);
    }
  }
}
