import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type Role = 'analyst' | 'coordinator' | 'admin';

/**
 * Who is calling. An analyst always carries its member state; the others never do.
 * `kind: 'user'` is a person signed in to a session: `keyId` is then the user's id (rate
 * limits and idempotency keys are per caller) and `name` the username. Absent means a key.
 */
export type Principal = (
  | { keyId: string; name: string; role: 'analyst'; state: string }
  | { keyId: string; name: string; role: 'coordinator' | 'admin'; state: null }
) & { kind?: 'key' | 'user' };

export const SYSTEM_ACTOR = 'system';

/** How a principal is written into timelines and the audit log. */
export function actorOf(p: Principal): string {
  return `${p.role}:${p.state ?? 'CCC'}:${p.name}`;
}

export const ROLES_KEY = 'ccc:roles';
export const PUBLIC_KEY = 'ccc:public';

/** Roles allowed on a route; without it any authenticated key may call. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No API key needed (health, metrics, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export type AuthedRequest = FastifyRequest & {
  principal?: Principal;
  /**
   * Set when the principal came from the guard's memory instead of a lookup (see
   * `KeyCheckedOnWrite`): true if the key is still valid now. Call it before any refusal.
   */
  pendingKeyCheck?: () => Promise<boolean>;
  /** The session a person's request came with (see src/sessions). */
  sessionId?: string;
  /**
   * The signed-in person's language, set as soon as the session is found (before any refusal
   * of it): problem details use it when the request sends no Accept-Language.
   */
  userLocale?: string;
};

export const KEY_CHECKED_ON_WRITE = 'ccc:key-checked-on-write';

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<AuthedRequest>();
  return request.principal;
});
