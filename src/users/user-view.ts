import type { Role } from '../common/principal.js';

/** A user as the API shows it: never a hash, token or secret. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  state: string | null;
  locale: string;
  totpEnrolled: boolean;
  disabled: boolean;
  sso: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  state: string | null;
  locale: string;
  totp_enrolled: boolean;
  disabled: boolean;
  sso: boolean;
  created_at: Date;
  last_login_at: Date | null;
}

/** The columns a UserView is made of (the secret columns are never selected with it). */
export const USER_COLUMNS = `id, username, display_name, email, role, state, locale,
  totp_secret IS NOT NULL AS totp_enrolled, disabled, oidc_subject IS NOT NULL AS sso,
  created_at, last_login_at`;

export const toUserView = (r: UserRow): UserView => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  role: r.role,
  state: r.state,
  locale: r.locale,
  totpEnrolled: r.totp_enrolled,
  disabled: r.disabled,
  sso: r.sso,
  createdAt: r.created_at.toISOString(),
  lastLoginAt: r.last_login_at?.toISOString() ?? null,
});

/** How a person is written into timelines and the audit log (as `actorOf` does). */
export const userActor = (u: { role: Role; state: string | null; username: string }) =>
  `${u.role}:${u.state ?? 'CCC'}:${u.username}`;
