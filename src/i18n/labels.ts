import {
  MEMBER_STATE_LABELS,
  RSIT_CLASS_TEXT,
  RSIT_TYPE_RU,
  SECTOR_LABELS,
  SEVERITY_LABELS,
  STATUS_LABELS,
  type Text,
} from '../vocabulary/labels.js';
import { RSIT_CLASSES } from '../vocabulary/rsit.js';
import { type Locale, t } from './i18n.js';

/**
 * The names people read for the codes of the vocabulary, in one language. They are the
 * names `GET /api/v1/taxonomy` gives the console (src/vocabulary/labels.ts), so an e-mail, a
 * report and the console say the same; an unknown code is shown as it is.
 */
const named =
  (names: Record<string, Text>) =>
  (code: string, locale: Locale): string =>
    (Object.hasOwn(names, code) ? names[code][locale] : undefined) ?? code;

export const severityLabel = named(SEVERITY_LABELS);
export const sectorLabel = named(SECTOR_LABELS);
export const statusLabel = named(STATUS_LABELS);

/** A member state by its code, the coordination center as `CCC`. */
export function stateLabel(code: string, locale: Locale): string {
  return code === 'CCC' ? t(locale, 'label.ccc') : named(MEMBER_STATE_LABELS)(code, locale);
}

export function rsitClassLabel(code: string, locale: Locale): string {
  return named(Object.fromEntries(Object.entries(RSIT_CLASS_TEXT).map(([k, v]) => [k, v.label])))(
    code,
    locale,
  );
}

const ENGLISH_TYPE = new Map(RSIT_CLASSES.flatMap((c) => c.types.map((t) => [t.category, t.name])));

/** `fraud/phishing` → "Fraud: Phishing" / "Мошенничество: Фишинг"; unknown codes as they are. */
export function categoryLabel(category: string, locale: Locale): string {
  const type = locale === 'ru' ? RSIT_TYPE_RU[category]?.label : ENGLISH_TYPE.get(category);
  if (type === undefined) return category;
  return `${rsitClassLabel(category.split('/')[0], locale)}: ${type}`;
}

/** TLP 2.0 labels are written alike in every language; this says in a few words what each allows. */
export function tlpLabel(tlp: string, locale: Locale): string {
  return t(locale, 'label.tlp', { level: tlpLevel(tlp), tlp });
}

/** The TLP 2.0 catalogue selector for a label (`TLP:AMBER+STRICT` → `amberStrict`). */
export function tlpLevel(tlp: string): string {
  const level = tlp.replace(/^TLP:/, '').toLowerCase();
  return level === 'amber+strict' ? 'amberStrict' : level;
}
