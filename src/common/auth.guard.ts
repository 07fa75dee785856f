import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthedRequest, Principal, PUBLIC_KEY, Role, ROLES_KEY } from './principal.js';
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

/**
 * Resolves the bearer key on every request with one indexed lookup, so a revoked key
 * fails on its very next request on every instance. No slow hash: keys are 256-bit random.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = await this.authenticate(request.headers.authorization);
    if (!principal) throw Problem.unauthorized();
    request.principal = principal;
    return true;
  }

  async authenticate(header: string | undefined): Promise<Principal | null> {
    const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(header ?? '');
    if (!match) return null;
    const rows = await prepared<{ id: string; name: string; role: Role; state: string | null }>(
      this.dataSource,
      'auth_api_key',
      'SELECT id, name, role, state FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashApiKey(match[1])],
    );
    const row = rows[0];
    if (!row) return null;
    return row.role === 'analyst'
      ? { keyId: row.id, name: row.name, role: 'analyst', state: row.state! }
      : { keyId: row.id, name: row.name, role: row.role, state: null };
  }
}
