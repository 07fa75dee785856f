import { MAX_JSON_DEPTH, scanJson, textFieldErrors } from './json-scan.js';

const nulFields = (v: unknown) =>
  textFieldErrors(v).map((e) =>
    e.message.key === 'input.nul' ? e.field : `${e.field}: ${e.message.key}`,
  );

const nested = (depth: number) => `{"title":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('scanJson', () => {
  it('allows 64 levels and refuses 65', () => {
    expect(scanJson(nested(MAX_JSON_DEPTH)).tooDeep).toBe(false);
    expect(scanJson(nested(MAX_JSON_DEPTH + 1)).tooDeep).toBe(true);
    expect(scanJson(nested(5000)).tooDeep).toBe(true);
  });

  it('counts depth as it goes, not the total of brackets', () => {
    const wide = JSON.stringify({ a: Array.from({ length: 1000 }, () => [[{}]]) });
    expect(scanJson(wide).tooDeep).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({
      title: '['.repeat(500),
      note: 'say \\"[[[[\\" \\\\',
      x: '{'.repeat(100),
    });
    // One object and two commas; none of the brackets or commas in the strings.
    expect(scanJson(text)).toEqual({ tooDeep: false, suspectText: false, structures: 3 });
    expect(scanJson(JSON.stringify({ k: '\\', d: '['.repeat(100) })).tooDeep).toBe(false);
  });

  it('counts arrays, objects and commas outside strings (the values a parse will make)', () => {
    expect(scanJson('[[],[],{"a":[1,2]}]').structures).toBe(8);
    expect(scanJson('"a,b,[c]"').structures).toBe(0);
    expect(scanJson('[],'.repeat(1000).slice(0, -1)).structures).toBe(1999);
  });

  it('finds an escaped NUL, in values and keys, but not an escaped backslash before u0000', () => {
    expect(scanJson(JSON.stringify({ title: 'a\u0000b' })).suspectText).toBe(true);
    expect(scanJson(JSON.stringify({ ['k\u0000']: 1 })).suspectText).toBe(true);
    expect(scanJson(JSON.stringify({ title: '\\u0000' })).suspectText).toBe(false);
    expect(scanJson(JSON.stringify({ title: 'a\u0001b' })).suspectText).toBe(false);
    expect(scanJson('{"title":"ok"}')).toEqual({
      tooDeep: false,
      suspectText: false,
      structures: 1,
    });
  });

  it('agrees with JSON.parse on random strings: flags every NUL and unpaired surrogate', () => {
    const alphabet = ['\0', '\\', '"', '[', '{', 'u', '0', 'a', '\u2028', '\ud800', ']'];
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const len = Math.floor(Math.random() * 12);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
      const text = JSON.stringify({ v: s, w: [s] });
      const parsed = JSON.parse(text) as { v: string };
      const suspect = scanJson(text).suspectText;
      expect(scanJson(text).tooDeep).toBe(false);
      // Never misses one; may flag a well-formed pair, which the walk then clears.
      if (textFieldErrors(parsed).length > 0) expect(suspect).toBe(true);
      if (suspect) expect(/\0|[\ud800-\udfff]/.test(parsed.v)).toBe(true);
    }
  });
});

describe('textFieldErrors', () => {
  it('refuses unpaired surrogates but keeps paired ones (emoji)', () => {
    expect(scanJson('{"t":"\\ud83d"}').suspectText).toBe(true);
    expect(scanJson('{"t":"\\uDC00"}').suspectText).toBe(true);
    expect(scanJson('{"t":"\\u00e9"}').suspectText).toBe(false);
    expect(textFieldErrors({ t: '\ud83d\ude00', u: ['x\ud83d'] })).toEqual([
      { field: 'u[0]', message: { key: 'input.surrogate' } },
    ]);
  });

  it('names every field holding a NUL, with array indexes and nested paths', () => {
    expect(
      nulFields({
        title: 'a\0',
        description: 'fine',
        observables: [
          { type: 'domain', value: 'x' },
          { type: 'domain', value: '\0' },
        ],
        resolution: { summary: 'ok\0' },
        count: 3,
        none: null,
      }),
    ).toEqual(['title', 'observables[1].value', 'resolution.summary']);
  });

  it('names a key holding a NUL and a query value given twice', () => {
    expect(nulFields({ ['a\0b']: 'x' })).toEqual(['a\0b']);
    expect(nulFields({ q: ['ok', 'b\0'] })).toEqual(['q[1]']);
    expect(nulFields('\0')).toEqual(['(body)']);
    expect(nulFields({})).toEqual([]);
  });
});
