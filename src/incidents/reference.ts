/**
 * `CCC-2026-000042`, in SQL over the `year` and `last_value` of a reference_counters row: the
 * year and the per-year counter, at least six digits (past a million it keeps counting).
 */
export const REFERENCE_SQL = `'CCC-' || year || '-' || lpad(last_value::text, greatest(6, length(last_value::text)), '0')`;
