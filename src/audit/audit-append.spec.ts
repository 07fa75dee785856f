import { SqlParams } from '../common/sql.js';
import { TextTemplate } from '../common/text-template.js';
import { auditAppendCtes, auditAppendStatement } from './audit-append.js';
import { entryCanonical } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

describe('audit append SQL', () => {
  it('hashes exactly the canonical entry once the database fills seq, at and the holes', () => {
    // Rebuild the template the way auditAppendCtes does and fill it like SQL would.
    const record = (ref: string) => ({
      actor: 'analyst:BY:"quoted" name',
      action: 'incident.created',
      targetType: 'incident',
      targetId: 'f0e0',
      change: { reference: ref, routing: { dispatchedTo: ['KZ'] } },
    });
    const [entry] = TextTemplate.buildAll((hole) => {
      const r = record(hole('ref'));
      return [
        entryCanonical({
          ...r,
          seq: hole('seq'),
          at: hole('at'),
          change: canonicalJson(r.change),
        }),
      ];
    });
    const at = '2026-03-01T10:00:00.123Z';
    const filled = entry.fill({ seq: '17', at, ref: 'CCC-2026-000009' });
    const expected = record('CCC-2026-000009');
    expect(filled).toBe(
      entryCanonical({ ...expected, seq: '17', at, change: canonicalJson(expected.change) }),
    );
  });

  it('gates on the caller FROM item and refuses holes outside the change', () => {
    const params = new SqlParams();
    const sql = auditAppendCtes(
      params,
      (hole) => ({ actor: 'a', action: 'b', targetType: 'c', change: { ref: hole('ref') } }),
      { from: 'ref', values: { ref: 'ref.reference' } },
    );
    expect(sql).toContain('FROM ref LEFT JOIN audit_moved');
    expect(sql).toContain('(ref.reference)');
    expect(() =>
      auditAppendCtes(new SqlParams(), (hole) => ({
        actor: hole('who'),
        action: 'b',
        targetType: 'c',
        change: {},
      })),
    ).toThrow(/outside change/);
  });

  it('appends on its own without a gate', () => {
    const { text, values } = auditAppendStatement({
      actor: 'system',
      action: 'x',
      targetType: 'y',
      change: { a: 1 },
    });
    expect(text).toMatch(/^WITH audit_moved AS/);
    expect(text).toContain('(SELECT) AS audit_gate');
    expect(values).toContain('{"a":1}');
  });
});
