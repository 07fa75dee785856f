import { MEMBER_STATES } from '../vocabulary/member-states.js';
import { CATEGORIES } from '../vocabulary/rsit.js';
import { SECTORS, SEVERITIES, STATUSES, TLPS } from '../vocabulary/vocabulary.js';
import {
  categoryLabel,
  sectorLabel,
  severityLabel,
  stateLabel,
  statusLabel,
  tlpLabel,
} from './labels.js';

describe('names of codes in e-mails and reports', () => {
  const CYRILLIC = /[а-яё]/i;

  it('name every code of the vocabulary in both languages', () => {
    const cases: [readonly string[], (code: string, locale: 'en' | 'ru') => string][] = [
      [CATEGORIES, categoryLabel],
      [SEVERITIES, severityLabel],
      [SECTORS, sectorLabel],
      [STATUSES, statusLabel],
      [[...MEMBER_STATES, 'CCC'], stateLabel],
      [TLPS, tlpLabel],
    ];
    for (const [codes, label] of cases) {
      for (const code of codes) {
        expect(label(code, 'ru')).toMatch(CYRILLIC);
        expect(label(code, 'en')).not.toMatch(CYRILLIC);
        expect(label(code, 'en')).not.toBe(code);
      }
    }
  });

  it('uses the taxonomy’s words and leaves unknown codes as they are', () => {
    expect(categoryLabel('fraud/phishing', 'en')).toBe('Fraud: Phishing');
    expect(categoryLabel('fraud/phishing', 'ru')).toBe('Мошенничество: Фишинг');
    expect(severityLabel('high', 'ru')).toBe('Высокий');
    expect(stateLabel('BY', 'ru')).toBe('Беларусь');
    expect(tlpLabel('TLP:AMBER+STRICT', 'en')).toBe(
      'TLP:AMBER+STRICT (recipient organisation only)',
    );
    expect(categoryLabel('fraud/unknown', 'ru')).toBe('fraud/unknown');
    expect(severityLabel('extreme', 'ru')).toBe('extreme');
    expect(stateLabel('XX', 'en')).toBe('XX');
    expect(severityLabel('constructor', 'en')).toBe('constructor');
  });
});
