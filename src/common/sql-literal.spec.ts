import fc from 'fast-check';
import pg from 'pg';
import { sqlLiteral } from './sql-literal.js';

describe('sqlLiteral', () => {
  it('quotes text as pg.escapeLiteral does, E-strings for backslashes', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlLiteral("E'x'")).toBe("'E''x'''");
  });

  it('is pg.escapeLiteral for any text (the shortcut only skips a no-op)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("'", '\\', '"', 'E', 'a', ' ', '\n', 'é', '😀') }),
        fc.string({ unit: 'binary' }),
        (special, any) => {
          for (const text of [special, any, special + any]) {
            if (text.includes('\0')) continue;
            expect(sqlLiteral(text)).toBe(pg.escapeLiteral(text));
          }
        },
      ),
      { seed: 20261129, numRuns: 500 },
    );
  });

  it('writes NULL, numbers and arrays in node-postgres text form', () => {
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(3600)).toBe("'3600'");
    expect(sqlLiteral([])).toBe("'{}'");
    expect(sqlLiteral(['a', null, 'NULL'])).toBe(`'{"a",NULL,"NULL"}'`);
    expect(sqlLiteral(['b"c'])).toBe(` E'{"b\\\\"c"}'`);
    expect(sqlLiteral([1, 2])).toBe(`'{"1","2"}'`);
  });

  it('refuses NUL, which no PostgreSQL text can hold', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(RangeError);
    expect(() => sqlLiteral(['a\0b'])).toThrow(RangeError);
  });
});
