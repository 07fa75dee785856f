/** Small text helpers of the mappings. Pure. */

export const MAX_TITLE = 300;
export const MAX_DESCRIPTION = 20_000;

/** At most `max` characters; a cut text ends with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The non-empty parts, one paragraph each, clipped to the description limit; null when none. */
export function paragraphs(parts: (string | null | undefined)[]): string | null {
  const text = parts
    .map((p) => (typeof p === 'string' ? p.trim() : ''))
    .filter((p) => p !== '')
    .join('\n\n');
  return text === '' ? null : clip(text, MAX_DESCRIPTION);
}

/**
 * A timestamp as comparable text: `2020-10-19T01:01:01.000000000Z` (UTC, nine fraction
 * digits), so a later version sorts after an earlier one whatever precision each was
 * written with. Null when it is not an RFC 3339 UTC timestamp.
 */
export function versionText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(value);
  if (!m || Number.isNaN(Date.parse(`${m[1]}Z`))) return null;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** An ISO timestamp for a date field, or null when the text is not a date. */
export function instant(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
