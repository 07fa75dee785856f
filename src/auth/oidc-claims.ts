import { createHash } from 'node:crypto';
import { MEMBER_STATES } from '../vocabulary/member-states.js';
import { USERNAME } from '../users/dto/create-user.dto.js';

export type MappedRole =
  { role: 'admin' | 'coordinator'; state: null } | { role: 'analyst'; state: string };

/**
 * The CCC role a roles claim grants: `admin`, `coordinator` or `analyst:<state>` (a list,
 * or one string separated by spaces or commas). The highest role wins; analyst roles for
 * two different states are ambiguous and grant nothing. Null: no admissible role.
 */
export function roleFromClaim(value: unknown): MappedRole | null {
  const values = (
    Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : []
  ).filter((v): v is string => typeof v === 'string');
  if (values.includes('admin')) return { role: 'admin', state: null };
  if (values.includes('coordinator')) return { role: 'coordinator', state: null };
  const states = new Set(
    values
      .map((v) => /^analyst:([A-Za-z]{2})$/.exec(v)?.[1]?.toUpperCase())
      .filter((s): s is string => s !== undefined && MEMBER_STATES.includes(s as never)),
  );
  return states.size === 1 ? { role: 'analyst', state: [...states][0] } : null;
}

/** A username from `preferred_username` when it is a valid one, else derived from `sub`. */
export function usernameFromClaims(claims: { sub: string; preferred_username?: unknown }): string {
  const preferred =
    typeof claims.preferred_username === 'string'
      ? claims.preferred_username.trim().toLowerCase()
      : '';
  if (USERNAME.test(preferred)) return preferred;
  return `sso-${createHash('sha256').update(claims.sub).digest('hex').slice(0, 12)}`;
}
