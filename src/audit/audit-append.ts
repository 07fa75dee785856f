import type { ChangeSet } from '../common/change-set.js';
import { isoMillisSql, SqlParams } from '../common/sql.js';
import { ParamSink, TextTemplate } from '../common/text-template.js';
import { entryCanonical } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

export interface AuditRecord {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  change: unknown;
}

export interface AppendOptions {
  /**
   * A FROM item of the enclosing statement that gates the append and feeds `values`: no row,
   * no entry. Without it the entry is written unconditionally.
   */
  from?: string;
  /** SQL for the holes the record was built with (e.g. a reference numbered in the same statement). */
  values?: Record<string, string>;
}

/**
 * The append as two CTEs (`audit_moved`, `audit_written`) for a statement of the caller's:
 * one UPDATE moves the head row (its lock orders appends until commit, across instances) and
 * computes the next hash in SQL from the previous one, so the chain link never costs a round
 * trip while locked; one INSERT writes the entry. `build(hole)` returns the record, with
 * `hole(name)` in its `change` where a value of `options.values` goes (`seq`, `at` reserved).
 */
export function auditAppendCtes(
  params: ParamSink,
  build: (hole: (name: string) => string) => AuditRecord,
  options: AppendOptions = {},
): string {
  const [entry, change] = TextTemplate.buildAll((hole) => {
    const record = build(hole);
    const changeText = canonicalJson(record.change ?? {});
    const text = entryCanonical({
      seq: hole('seq'),
      at: hole('at'),
      actor: record.actor,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId ?? null,
      change: changeText,
    });
    return [text, changeText];
  });
  // Holes go in `change` only: the other fields are stored as the record has them.
  if (entry.holes.length !== change.holes.length + 2) throw new Error('audit holes outside change');
  const record = build((name) => name);
  const values = options.values ?? {};
  const at = 'greatest(h.at, clock.now)';
  const hashed = entry.sql(params, { ...values, seq: 'h.seq + 1', at: isoMillisSql(at) });
  // Without a head row the LEFT JOIN yields a NULL seq: the statement fails, it never skips.
  const gate = options.from ?? '(SELECT) AS audit_gate';
  return `audit_moved AS (
      UPDATE audit_head h SET seq = h.seq + 1, prev_hash = h.hash, at = ${at},
        hash = encode(sha256(convert_to(h.hash || ${hashed}, 'UTF8')), 'hex')
      FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS now) AS clock
      ${options.from ? `, ${options.from}` : ''}
      WHERE h.id = 1
      RETURNING h.seq, h.at, h.prev_hash, h.hash
    ), audit_written AS (
      INSERT INTO audit_log (seq, at, actor, action, target_type, target_id, change, prev_hash, hash)
      SELECT m.seq, m.at, ${params.add(record.actor)}, ${params.add(record.action)},
        ${params.add(record.targetType)}, ${params.add(record.targetId ?? null)},
        ${change.sql(params, values)}, m.prev_hash, m.hash
      FROM ${gate} LEFT JOIN audit_moved m ON true
    )`;
}

/**
 * The append as a fragment of a change set (CTEs `audit_moved`, `audit_written`): one entry
 * per statement, as the head row can move only once in it.
 */
export function auditFragment(
  cs: ChangeSet,
  build: (hole: (name: string) => string) => AuditRecord,
  options: AppendOptions = {},
): void {
  cs.withCtes(['audit_moved', 'audit_written'], auditAppendCtes(cs, build, options));
}

/** A statement that appends one entry on its own (inside the caller's transaction). */
export function auditAppendStatement(record: AuditRecord): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const ctes = auditAppendCtes(params, () => record);
  return { text: `WITH ${ctes} SELECT seq FROM audit_moved`, values: params.values };
}
