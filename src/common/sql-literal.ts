import pg from 'pg';
import pgUtils from 'pg/lib/utils.js';

/**
 * A value as a SQL literal of unknown type, for `EXECUTE name(...)` in a simple-protocol
 * message (where parameters cannot be bound): the statement's parameter types decide. The
 * text form is node-postgres's own (`prepareValue`, what it would send as a parameter:
 * arrays as `{...}`, dates, JSON) and the quoting is its `escapeLiteral` (an `E''` string
 * when backslashes need doubling). Round-tripped through PostgreSQL by
 * test/sql-literal.e2e-spec.ts.
 */
export function sqlLiteral(value: unknown): string {
  const text = pgUtils.prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') throw new TypeError('binary values have no literal here');
  if (text.includes('\0')) throw new RangeError('text cannot hold NUL characters');
  // escapeLiteral walks the text character by character; text without a quote or backslash
  // comes back from it merely wrapped, and JSON pieces are kilobytes per filing.
  return text.includes("'") || text.includes('\\') ? pg.escapeLiteral(text) : `'${text}'`;
}
