import labels from './data/rsit-labels.json' with { type: 'json' };
import type { Locale } from './i18n.js';

type Labelled = Record<string, { en: string; ru: string }>;

/** `fraud/phishing` → "Fraud: Phishing" / "Мошенничество: Фишинг"; unknown codes as they are. */
export function categoryLabel(category: string, locale: Locale): string {
  const cls = (labels.classes as Labelled)[category.split('/')[0]];
  const type = (labels.types as Labelled)[category];
  if (!cls || !type) return category;
  return `${cls[locale]}: ${type[locale]}`;
}

export function rsitClassLabel(code: string, locale: Locale): string {
  return (labels.classes as Labelled)[code]?.[locale] ?? code;
}

export function tlpLabel(tlp: string, locale: Locale): string {
  return (labels.tlp as Labelled)[tlp]?.[locale] ?? tlp;
}

/** The TLP 2.0 catalogue selector for a label (`TLP:AMBER+STRICT` → `amberStrict`). */
export function tlpLevel(tlp: string): string {
  const level = tlp.replace(/^TLP:/, '').toLowerCase();
  return level === 'amber+strict' ? 'amberStrict' : level;
}

export const RSIT_LABELS = labels;
