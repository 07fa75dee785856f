import { parse, type MessageFormatElement, TYPE } from '@formatjs/icu-messageformat-parser';
import { CATALOGUES, LOCALES, negotiateLocale, t } from './i18n.js';

/** Argument names a message uses, with their kind (plural, select, plain), in any branch. */
function placeholders(pattern: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date) {
        found.add(`${e.value}:plain`);
      } else if (e.type === TYPE.plural || e.type === TYPE.select) {
        found.add(`${e.value}:${e.type === TYPE.plural ? 'plural' : 'select'}`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.tag) walk(e.children);
    }
  };
  walk(parse(pattern, { ignoreTag: true }));
  return [...found].sort();
}

describe('message catalogues', () => {
  const [first, ...others] = LOCALES;

  it.each(others)('%s has exactly the keys of the first catalogue', (locale) => {
    expect(Object.keys(CATALOGUES[locale]).sort()).toEqual(Object.keys(CATALOGUES[first]).sort());
  });

  it.each(others)('%s uses the same placeholders in every message', (locale) => {
    const differ = Object.keys(CATALOGUES[first]).filter(
      (key) =>
        JSON.stringify(placeholders(CATALOGUES[first][key])) !==
        JSON.stringify(placeholders(CATALOGUES[locale][key] ?? '')),
    );
    expect(differ).toEqual([]);
  });

  it.each(LOCALES)('every %s message parses and renders', (locale) => {
    for (const [key, pattern] of Object.entries(CATALOGUES[locale])) {
      expect(() => parse(pattern, { ignoreTag: true })).not.toThrow();
      expect(key).toMatch(/^[a-zA-Z0-9.]+$/);
    }
  });

  it('applies the plural rules of each language', () => {
    expect(t('en', 'constituency.more', { count: 1 })).toBe('and 1 more invalid entry');
    expect(t('en', 'constituency.more', { count: 3 })).toBe('and 3 more invalid entries');
    expect(t('ru', 'constituency.more', { count: 1 })).toBe('и ещё 1 недопустимая запись');
    expect(t('ru', 'constituency.more', { count: 3 })).toBe('и ещё 3 недопустимые записи');
    expect(t('ru', 'constituency.more', { count: 5 })).toBe('и ещё 5 недопустимых записей');
    expect(t('ru', 'constituency.more', { count: 21 })).toBe('и ещё 21 недопустимая запись');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, undefined, 'en'],
    [undefined, 'ru', 'ru'],
    ['', 'ru', 'ru'],
    ['ru', undefined, 'ru'],
    ['ru-RU,ru;q=0.9', undefined, 'ru'],
    ['EN-us', 'ru', 'en'],
    ['en;q=0.5, ru;q=0.8', undefined, 'ru'],
    ['ru;q=0.2, en;q=0.9', undefined, 'en'],
    ['de, ru;q=0.1', undefined, 'ru'],
    ['ru;q=0, en', 'ru', 'en'],
    ['*', 'ru', 'ru'],
    ['*', undefined, 'en'],
    ['de', undefined, 'en'],
    ['de', 'ru', 'en'], // a header that accepts neither: English, whatever the user's default
    ['fr-CA, de;q=0.5', undefined, 'en'],
    ['garbage;;q=x', undefined, 'en'],
  ] as const)('%p with user default %p → %s', (header, fallback, expected) => {
    expect(negotiateLocale(header, fallback)).toBe(expected);
  });
});
