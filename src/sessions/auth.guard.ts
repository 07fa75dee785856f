import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import {
  BASIC_AUTH_ALLOWED,
  ENROLMENT_ALLOWED,
  SESSION_ONLY,
  SIGN_IN_OPTIONS,
} from './session-routes.js';
import { LiveSession, SESSION_COOKIE, SessionsService } from './sessions.service.js';
import {
  AuthedRequest,
  KEY_CHECKED_ON_WRITE,
  Principal,
  PUBLIC_KEY,
  Role,
  ROLES_KEY,
} from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { prepared } from '../common/sql.js';
import { type Msg, msg } from '../i18n/i18n.js';

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Runs after authentication and rate limiting, so refused calls still count against the limit. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles) return true;
    const { principal } = context.switchToHttp().getRequest<AuthedRequest>();
    if (!principal || !roles.includes(principal.role)) throw Problem.forbidden();
    return true;
  }
}

/** Principals remembered for `KeyCheckedOnWrite` routes; the oldest go first beyond this. */
const REMEMBERED_KEYS = 10_000;

/**
 * Resolves the bearer key on every request with one indexed lookup, so a revoked key
 * fails on its very next request on every instance. No slow hash: keys are 256-bit random.
 * The one exception: a route marked `KeyCheckedOnWrite` checks the key atomically with its
 * own write and verifies it before any refusal, so there a principal seen before is taken
 * from memory (keys never change role, state or name; they are only revoked).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly remembered = new Map<string, Principal>();

  private readonly ownOrigin: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.ownOrigin = new URL(config.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    // A person: the session cookie, when no Authorization header is sent (machines send one).
    const cookie = (request as { cookies?: Record<string, string | undefined> }).cookies?.[
      SESSION_COOKIE
    ];
    if (request.headers.authorization === undefined && cookie) {
      return this.fromSession(request, cookie, targets);
    }
    if (this.reflector.getAllAndOverride<boolean>(SESSION_ONLY, targets)) {
      if (!(await this.authenticate(request.headers.authorization))) {
        throw this.unauthorized(targets);
      }
      throw Problem.forbidden(msg('problem.forbidden.sessionOnly'));
    }
    const basic = this.reflector.getAllAndOverride<boolean>(BASIC_AUTH_ALLOWED, targets) ?? false;
    const hash = keyHashOf(request.headers.authorization, basic);
    if (hash && this.reflector.getAllAndOverride<boolean>(KEY_CHECKED_ON_WRITE, targets)) {
      const known = this.remembered.get(hash);
      const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
      // Only when the role passes: a refusal by RolesGuard could not be verified first.
      if (known && (!roles || roles.includes(known.role))) {
        request.principal = known;
        request.pendingKeyCheck = async () => (await this.lookup(hash)) !== null;
        return true;
      }
    }
    const principal = hash ? await this.lookup(hash) : null;
    if (!principal) throw Problem.unauthorized();
    request.principal = principal;
    return true;
  }

  /** A 401; on a route that announces them (`GET /auth/me`), with the ways to sign in. */
  private unauthorized(
    targets: Parameters<Reflector['getAllAndOverride']>[1],
    detail?: Msg,
  ): Problem {
    const announce = this.reflector.getAllAndOverride<boolean>(SIGN_IN_OPTIONS, targets);
    return Problem.unauthorized(
      detail,
      announce ? { singleSignOn: this.config.oidc !== undefined } : {},
    );
  }

  /**
   * A session found on this request (never cached, so a revocation holds at once), the
   * CSRF rules for writes, and the enrol-only restriction.
   */
  /** The service's own origin: CCC_PUBLIC_URL's, or without it the one the request names. */
  private originOf(request: AuthedRequest): string {
    if (this.config.publicUrlSet) return this.ownOrigin;
    return `${request.protocol}://${request.headers.host ?? ''}`;
  }

  private async fromSession(
    request: AuthedRequest,
    token: string,
    targets: Parameters<Reflector['getAllAndOverride']>[1],
  ): Promise<boolean> {
    const session = await this.sessions.lookup(token);
    if (!session) throw this.unauthorized(targets, msg('problem.unauthorized.session'));
    request.userLocale = session.locale;
    if (!SAFE_METHODS.has(request.method)) {
      const origin = request.headers.origin;
      const csrf = request.headers['x-csrf-token'];
      if (
        (origin !== undefined && origin !== this.originOf(request)) ||
        !this.sessions.verifyCsrf(session, typeof csrf === 'string' ? csrf : undefined)
      ) {
        throw new Problem(403, 'csrf', msg('problem.csrf'));
      }
    }
    if (
      this.sessions.requiresTotp(session) &&
      !this.reflector.getAllAndOverride<boolean>(ENROLMENT_ALLOWED, targets)
    ) {
      throw new Problem(403, 'second-factor-enrolment-required', msg('problem.enrolFirst'));
    }
    request.principal = principalOf(session);
    request.sessionId = session.id;
    return true;
  }

  async authenticate(header: string | undefined): Promise<Principal | null> {
    const hash = keyHashOf(header);
    return hash ? this.lookup(hash) : null;
  }

  private async lookup(hash: string): Promise<Principal | null> {
    const rows = await prepared<{ id: string; name: string; role: Role; state: string | null }>(
      this.dataSource,
      'auth_api_key',
      'SELECT id, name, role, state FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = rows[0];
    if (!row) {
      this.remembered.delete(hash);
      return null;
    }
    const principal: Principal =
      row.role === 'analyst'
        ? { kind: 'key', keyId: row.id, name: row.name, role: 'analyst', state: row.state! }
        : { kind: 'key', keyId: row.id, name: row.name, role: row.role, state: null };
    if (!this.remembered.has(hash)) {
      if (this.remembered.size >= REMEMBERED_KEYS) {
        this.remembered.delete(this.remembered.keys().next().value!);
      }
      this.remembered.set(hash, principal);
    }
    return principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function principalOf(s: LiveSession): Principal {
  return s.role === 'analyst'
    ? { kind: 'user', keyId: s.userId, name: s.username, role: 'analyst', state: s.state! }
    : { kind: 'user', keyId: s.userId, name: s.username, role: s.role, state: null };
}

/**
 * The hash of the API key a request presents: `Bearer <key>`, or where the route allows it
 * (`BasicAuthAllowed`) HTTP Basic with the key as password and any user name. Scheme names
 * are matched in any case (RFC 9110).
 */
function keyHashOf(header: string | undefined, basic = false): string | null {
  const bearer = /^Bearer\s+(\S{1,200})\s*$/i.exec(header ?? '');
  if (bearer) return hashApiKey(bearer[1]);
  if (!basic) return null;
  const credentials = /^Basic\s+([A-Za-z0-9+/]{1,400}={0,2})\s*$/i.exec(header ?? '');
  if (!credentials) return null;
  const decoded = Buffer.from(credentials[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const secret = colon < 0 ? '' : decoded.slice(colon + 1);
  return secret.length > 0 && secret.length <= 200 ? hashApiKey(secret) : null;
}
