import { SqlParams } from './sql.js';
import { TextTemplate } from './text-template.js';

describe('TextTemplate', () => {
  const build = () =>
    TextTemplate.build((hole) =>
      JSON.stringify({
        reference: hole('ref'),
        title: 'a "quoted"\n title',
        again: hole('ref'),
        at: hole('at'),
      }),
    );

  it('cuts the text at the holes and fills them back to the JSON with the values', () => {
    const t = build();
    expect(t.holes).toEqual(['ref', 'ref', 'at']);
    expect(t.pieces).toHaveLength(4);
    const filled = t.fill({ ref: 'CCC-2026-000001', at: '2026-01-01T00:00:00.000Z' });
    expect(JSON.parse(filled)).toEqual({
      reference: 'CCC-2026-000001',
      title: 'a "quoted"\n title',
      again: 'CCC-2026-000001',
      at: '2026-01-01T00:00:00.000Z',
    });
  });

  it('survives JSON escaping twice (a hole inside a JSON string inside JSON)', () => {
    const [inner, outer] = TextTemplate.buildAll((hole) => {
      const text = JSON.stringify({ ref: hole('ref'), note: 'x"y' });
      return [text, JSON.stringify({ change: text })];
    });
    const value = 'CCC-2026-000042';
    expect(JSON.parse(JSON.parse(outer.fill({ ref: value })).change)).toEqual(
      JSON.parse(inner.fill({ ref: value })),
    );
  });

  it('takes a whole JSON value for a hole named …Json, whatever its length', () => {
    const make = (n: number) =>
      TextTemplate.build((hole) =>
        JSON.stringify({ ref: hole('ref'), items: hole('itemsJson'), pad: 'x'.repeat(n) }),
      );
    const t = make(1);
    expect(t.holes).toEqual(['ref', 'itemsJson']);
    expect(JSON.parse(t.fill({ ref: 'R', itemsJson: '[{"a": 1}, {"b": "c"}]' }))).toEqual({
      ref: 'R',
      items: [{ a: 1 }, { b: 'c' }],
      pad: 'x',
    });
    const params = new SqlParams();
    expect(t.sql(params, { ref: 'r.ref', itemsJson: 'r.items' })).toBe(
      '($1::text || (r.ref) || $2::text || (r.items) || $3::text)',
    );
    expect(params.values).toEqual(['{"ref":"', '","items":', ',"pad":"x"}']);
    expect(() => t.fill({ ref: 'R', itemsJson: '[1,' })).toThrow();
    // Escaped inside another string, it could not be cut out cleanly: refused.
    expect(() =>
      TextTemplate.build((hole) => JSON.stringify({ t: JSON.stringify({ x: hole('xJson') }) })),
    ).toThrow(/stand alone/);
  });

  it('refuses values that JSON would escape, and unknown holes in SQL', () => {
    const t = build();
    expect(() => t.fill({ ref: 'a"b', at: 'x' })).toThrow(/plain token/);
    expect(() => t.sql(new SqlParams(), { ref: 'r.reference' })).toThrow(/hole at/);
  });

  it('writes SQL that glues parameters and expressions in order', () => {
    const params = new SqlParams();
    const t = TextTemplate.build((hole) => `a${hole('x')}b${hole('y')}c`);
    expect(t.sql(params, { x: 'r.x', y: 'r.y' })).toBe(
      '($1::text || (r.x) || $2::text || (r.y) || $3::text)',
    );
    expect(params.values).toEqual(['a', 'b', 'c']);
  });

  it('passes the pieces of several templates with the same holes as arrays', () => {
    const params = new SqlParams();
    const ts = ['p', 'q'].map((s) => TextTemplate.build((hole) => `${s}${hole('x')}${s}`));
    const { arrays, expr } = TextTemplate.sqlRows(ts, params, (i) => `o.p${i}`, { x: 'r.x' });
    expect(arrays).toEqual(['$1::text[]', '$2::text[]']);
    expect(expr).toBe('(o.p0 || (r.x) || o.p1)');
    expect(params.values).toEqual([
      ['p', 'q'],
      ['p', 'q'],
    ]);
  });
});
