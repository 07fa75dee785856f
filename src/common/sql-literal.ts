/** A value as a SQL literal of unknown type, for `EXECUTE name(...)`: the statement's parameter types decide. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return quote(literalText(value));
}

/** The text form PostgreSQL parses for the value (arrays as `{...}`, like node-pg sends them). */
function literalText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  return JSON.stringify(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return literalText(value);
  const text = literalText(value);
  // Most elements need no escaping: skip the copies (JSON pieces are kilobytes per filing).
  if (!/["\\]/.test(text)) return `"${text}"`;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Standard-conforming string literal; E'' when backslashes need doubling (as libpq does). */
function quote(text: string): string {
  if (text.includes('\0')) throw new RangeError('text cannot hold NUL characters');
  const body = text.includes("'") ? text.replace(/'/g, "''") : text;
  return text.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}
