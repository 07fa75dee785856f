import { sqlLiteral } from './sql-literal.js';

describe('sqlLiteral', () => {
  it('quotes text, doubling quotes, and switches to E-strings for backslashes', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlLiteral("E'x'")).toBe("'E''x'''");
  });

  it('writes NULL, numbers and dates as PostgreSQL reads them', () => {
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(3600)).toBe("'3600'");
    expect(sqlLiteral(new Date('2026-01-01T00:00:00Z'))).toBe("'2026-01-01T00:00:00.000Z'");
  });

  it('writes arrays as quoted elements, escaping quotes and backslashes inside', () => {
    expect(sqlLiteral([])).toBe("'{}'");
    expect(sqlLiteral(['a', null, 'NULL'])).toBe(`'{"a",NULL,"NULL"}'`);
    expect(sqlLiteral(['b"c'])).toBe(` E'{"b\\\\"c"}'`);
    expect(sqlLiteral(['d\\e'])).toBe(` E'{"d\\\\\\\\e"}'`);
    expect(sqlLiteral([1, 2])).toBe(`'{"1","2"}'`);
  });

  it('refuses NUL, which no PostgreSQL text can hold', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(RangeError);
  });
});
