import { MessageKey, msg } from '../i18n/i18n.js';
import { Problem } from '../common/problem.js';

/** Objects per page when the client names no `limit`, and the most it gets when it names more. */
export const TAXII_DEFAULT_LIMIT = 100;
export const TAXII_MAX_LIMIT = 1000;

/** The query parameters a TAXII endpoint honours (TAXII 2.1 §3.4, INTEROP T-FILT-2). */
export type TaxiiParam =
  | 'added_after'
  | 'limit'
  | 'next'
  | 'match[id]'
  | 'match[type]'
  | 'match[version]'
  | 'match[spec_version]';

export const OBJECTS_PARAMS: readonly TaxiiParam[] = [
  'added_after',
  'limit',
  'next',
  'match[id]',
  'match[type]',
  'match[version]',
  'match[spec_version]',
];
export const OBJECT_PARAMS: readonly TaxiiParam[] = [
  'added_after',
  'limit',
  'next',
  'match[version]',
  'match[spec_version]',
];
export const VERSIONS_PARAMS: readonly TaxiiParam[] = [
  'added_after',
  'limit',
  'next',
  'match[spec_version]',
];

export interface TaxiiFilter {
  limit: number;
  next?: string;
  /** Microsecond UTC text, compared exclusively. */
  addedAfter?: string;
  ids?: string[];
  types?: string[];
  /** Exact versions asked for; undefined when `first`, `last`, `all` or nothing was asked. */
  versions?: string[];
  specVersions?: string[];
}

const TAXII_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;

/**
 * A TAXII timestamp (RFC 3339 in UTC, `Z`, any fraction of a second) as microsecond text,
 * the precision of PostgreSQL and of the `date_added` values the service hands out; null
 * when it is not one (an impossible date included). Digits beyond microseconds are cut, not
 * rounded, so a value the service sent comes back unchanged.
 */
export function parseTaxiiTimestamp(text: string): string | null {
  const m = TAXII_TIMESTAMP.exec(text);
  if (!m) return null;
  const seconds = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const millis = Date.parse(`${seconds}Z`);
  if (!Number.isFinite(millis) || new Date(millis).toISOString() !== `${seconds}.000Z`) {
    return null;
  }
  return `${seconds}.${(m[7] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

function invalid(field: string, message: MessageKey): Problem {
  return Problem.validation([{ field, message: msg(message) }]);
}

/** One value, or every comma-separated value of a repeatable parameter (`a,b` or `x=a&x=b`). */
function values(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .filter((v): v is string => typeof v === 'string')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function single(raw: unknown, field: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw invalid(field, 'v.taxii.once');
  return raw;
}

/**
 * Reads the parameters `allowed` from a query string; anything else (unknown `match[…]`
 * included) is ignored, as TAXII clients expect (INTEROP T-FILT-5). `limit` above the
 * maximum is lowered to it, not refused (contract).
 */
export function parseTaxiiQuery(
  query: Record<string, unknown>,
  allowed: readonly TaxiiParam[],
): TaxiiFilter {
  const has = (p: TaxiiParam) => allowed.includes(p) && query[p] !== undefined;
  const filter: TaxiiFilter = { limit: TAXII_DEFAULT_LIMIT };
  if (has('limit')) {
    const limit = single(query.limit, 'limit')!;
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) {
      throw invalid('limit', 'v.taxii.limit');
    }
    filter.limit = Math.min(Number(limit), TAXII_MAX_LIMIT);
  }
  if (has('next')) {
    const next = single(query.next, 'next')!;
    if (next !== '') filter.next = next;
  }
  if (has('added_after')) {
    const stamp = parseTaxiiTimestamp(single(query.added_after, 'added_after')!);
    if (!stamp) throw invalid('added_after', 'v.taxii.addedAfter');
    filter.addedAfter = stamp;
  }
  if (has('match[id]')) filter.ids = values(query['match[id]']);
  if (has('match[type]')) filter.types = values(query['match[type]']);
  if (has('match[spec_version]')) filter.specVersions = values(query['match[spec_version]']);
  if (has('match[version]')) {
    const asked = values(query['match[version]']);
    // One version of each object is kept, so `first`, `last` and `all` all name it.
    if (!asked.some((v) => v === 'first' || v === 'last' || v === 'all')) {
      filter.versions = asked.map((v) => {
        const stamp = parseTaxiiTimestamp(v);
        if (!stamp) {
          throw invalid('match[version]', 'v.taxii.version');
        }
        return stamp;
      });
    }
  }
  return filter;
}
