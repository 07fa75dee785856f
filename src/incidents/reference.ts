/** `CCC-2026-000042`: the year and the per-year counter, at least six digits. */
export function formatReference(year: number, counter: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError('bad year');
  if (!Number.isInteger(counter) || counter < 1) throw new RangeError('bad counter');
  return `CCC-${year}-${String(counter).padStart(6, '0')}`;
}

export const REFERENCE_PATTERN = /^CCC-\d{4}-\d{6,}$/;

/** formatReference in SQL, over the `year` and `last_value` of a reference_counters row. */
export const REFERENCE_SQL = `'CCC-' || year || '-' || lpad(last_value::text, greatest(6, length(last_value::text)), '0')`;
