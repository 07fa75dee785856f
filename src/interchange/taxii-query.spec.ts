import {
  OBJECT_PARAMS,
  OBJECTS_PARAMS,
  parseTaxiiQuery,
  parseTaxiiTimestamp,
  TAXII_DEFAULT_LIMIT,
  TAXII_MAX_LIMIT,
  VERSIONS_PARAMS,
} from './taxii-query.js';

describe('TAXII query parameters', () => {
  it('reads TAXII timestamps as microsecond UTC text, cutting extra digits', () => {
    expect(parseTaxiiTimestamp('2026-01-31T12:00:00Z')).toBe('2026-01-31T12:00:00.000000Z');
    expect(parseTaxiiTimestamp('2026-01-31T12:00:00.1Z')).toBe('2026-01-31T12:00:00.100000Z');
    expect(parseTaxiiTimestamp('2026-01-31T12:00:00.123456789Z')).toBe(
      '2026-01-31T12:00:00.123456Z',
    );
    for (const bad of [
      '2026-02-30T00:00:00Z',
      '2026-01-31T24:00:00Z',
      '2026-01-31T12:00:00+01:00',
      '2026-01-31',
      'yesterday',
      '',
    ]) {
      expect({ bad, parsed: parseTaxiiTimestamp(bad) }).toEqual({ bad, parsed: null });
    }
  });

  it('caps limit at the maximum and refuses what is not a positive integer', () => {
    expect(parseTaxiiQuery({}, OBJECTS_PARAMS).limit).toBe(TAXII_DEFAULT_LIMIT);
    expect(parseTaxiiQuery({ limit: '7' }, OBJECTS_PARAMS).limit).toBe(7);
    expect(parseTaxiiQuery({ limit: '999999999' }, OBJECTS_PARAMS).limit).toBe(TAXII_MAX_LIMIT);
    for (const limit of ['0', '-1', '1.5', 'x', '', ['1', '2']]) {
      expect(() => parseTaxiiQuery({ limit }, OBJECTS_PARAMS)).toThrow();
    }
  });

  it('reads comma-separated and repeated match values; ignores unknown and unsupported ones', () => {
    const filter = parseTaxiiQuery(
      {
        'match[type]': ['incident,indicator', 'relationship'],
        'match[id]': 'incident--a, indicator--b',
        'match[colour]': 'red',
        foo: 'bar',
      },
      OBJECTS_PARAMS,
    );
    expect(filter).toEqual({
      limit: TAXII_DEFAULT_LIMIT,
      types: ['incident', 'indicator', 'relationship'],
      ids: ['incident--a', 'indicator--b'],
    });
    // Get an Object and Versions take no match[type] / match[id] (TAXII 2.1 §5.6, §5.8).
    expect(parseTaxiiQuery({ 'match[type]': 'incident' }, OBJECT_PARAMS).types).toBeUndefined();
    expect(parseTaxiiQuery({ 'match[version]': 'x' }, VERSIONS_PARAMS).versions).toBeUndefined();
  });

  it('takes first, last and all as every kept version, timestamps as exact versions', () => {
    for (const v of ['first', 'last', 'all', 'last,2026-01-01T00:00:00Z']) {
      expect(parseTaxiiQuery({ 'match[version]': v }, OBJECTS_PARAMS).versions).toBeUndefined();
    }
    expect(
      parseTaxiiQuery({ 'match[version]': '2026-01-01T00:00:00.5Z' }, OBJECTS_PARAMS).versions,
    ).toEqual(['2026-01-01T00:00:00.500000Z']);
    expect(() => parseTaxiiQuery({ 'match[version]': 'newest' }, OBJECTS_PARAMS)).toThrow();
    expect(() => parseTaxiiQuery({ added_after: 'soon' }, OBJECTS_PARAMS)).toThrow();
  });
});
