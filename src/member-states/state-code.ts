import { MEMBER_STATES } from '../vocabulary/member-states.js';
import { Problem } from '../common/problem.js';

/** A member-state code from a path (case-insensitive); anything else is a 404. */
export function parseStateCode(raw: string): string {
  const code = raw.toUpperCase();
  if (!(MEMBER_STATES as readonly string[]).includes(code)) throw Problem.notFound('memberState');
  return code;
}
