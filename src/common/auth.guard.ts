import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AuthedRequest,
  KEY_CHECKED_ON_WRITE,
  Principal,
  PUBLIC_KEY,
  Role,
  ROLES_KEY,
} from './principal.js';
import { Problem } from './problem.js';
import { prepared } from './sql.js';

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

  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const hash = keyHashOf(request.headers.authorization);
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
        ? { keyId: row.id, name: row.name, role: 'analyst', state: row.state! }
        : { keyId: row.id, name: row.name, role: row.role, state: null };
    if (!this.remembered.has(hash)) {
      if (this.remembered.size >= REMEMBERED_KEYS) {
        this.remembered.delete(this.remembered.keys().next().value!);
      }
      this.remembered.set(hash, principal);
    }
    return principal;
  }
}

function keyHashOf(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(header ?? '');
  return match ? hashApiKey(match[1]) : null;
}
