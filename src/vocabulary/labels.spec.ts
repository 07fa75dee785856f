import { RSIT_CLASS_TEXT, RSIT_TYPE_RU, TLP_TEXT } from './labels.js';
import { CATEGORIES, RSIT_CLASSES } from './rsit.js';
import { TLPS } from './vocabulary.js';

const CYRILLIC = /[а-яё]/i;

describe('English and Russian names of the vocabulary', () => {
  it('reads the 11 classes and 39 types of RSIT', () => {
    expect(RSIT_CLASSES).toHaveLength(11);
    expect(CATEGORIES).toHaveLength(39);
    expect(CATEGORIES).toContain('fraud/phishing');
  });

  it('names and describes every RSIT class and type in Russian, and nothing else', () => {
    expect(Object.keys(RSIT_TYPE_RU).sort()).toEqual([...CATEGORIES].sort());
    expect(Object.keys(RSIT_CLASS_TEXT).sort()).toEqual(RSIT_CLASSES.map((c) => c.value).sort());
    for (const text of Object.values(RSIT_TYPE_RU)) {
      expect(text.label).toMatch(CYRILLIC);
      expect(text.description).toMatch(CYRILLIC);
    }
    for (const { label, description } of Object.values(RSIT_CLASS_TEXT)) {
      expect(label.ru).toMatch(CYRILLIC);
      expect(description.ru).toMatch(CYRILLIC);
      expect(label.en).not.toMatch(CYRILLIC);
    }
    // Two types never share a Russian name (a picker would show two identical rows).
    const names = Object.values(RSIT_TYPE_RU).map((t) => t.label);
    expect(new Set(names).size).toBe(names.length);
  });

  it('describes every TLP 2.0 level in both languages', () => {
    expect(Object.keys(TLP_TEXT)).toEqual([...TLPS]);
    for (const { description } of Object.values(TLP_TEXT)) {
      expect(description.ru).toMatch(CYRILLIC);
      expect(description.en).not.toMatch(CYRILLIC);
    }
  });
});
