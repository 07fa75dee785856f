import { IntlMessageFormat } from 'intl-messageformat';
import Negotiator from 'negotiator';
import en from './messages/en.json' with { type: 'json' };
import ru from './messages/ru.json' with { type: 'json' };

/**
 * The languages the service writes in. The catalogues (messages/<locale>.json) are plain ICU
 * MessageFormat JSON, the format react-intl reads, so a console can share them.
 */
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
/** The language of API answers when nothing else decides. */
export const DEFAULT_LOCALE: Locale = 'en';
/** The center's working language: e-mail contacts get it unless they ask for English. */
export const WORKING_LOCALE: Locale = 'ru';

export const CATALOGUES: Record<Locale, Record<string, string>> = { en, ru };

export type MessageKey = keyof typeof en;
export type MessageValues = Record<string, string | number | Date>;

/** A message not yet rendered: a catalogue key and its values, turned into text per reader. */
export interface Msg {
  key: MessageKey;
  values?: MessageValues;
}

export function msg(key: MessageKey, values?: MessageValues): Msg {
  return values ? { key, values } : { key };
}

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(en, value);
}

// Parsed once per message and locale, on first use.
const compiled = new Map<string, IntlMessageFormat>();

/** The text of `key` in `locale`. An unknown key is a programming error: it throws. */
export function t(locale: Locale, key: MessageKey, values?: MessageValues): string {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    const pattern = CATALOGUES[locale][key];
    if (pattern === undefined) throw new Error(`no message ${key} in ${locale}`);
    format = new IntlMessageFormat(pattern, locale, undefined, { ignoreTag: true });
    compiled.set(id, format);
  }
  return String(format.format(values));
}

/** The text of a message in `locale`. */
export function render(locale: Locale, message: Msg): string {
  return t(locale, message.key, message.values);
}

/**
 * The language an `Accept-Language` header asks for, q-values honoured. Without a header the
 * reader's own language (a session user's `locale`) applies; a header that accepts neither
 * language gets English.
 */
export function negotiateLocale(header: string | undefined, fallback?: Locale): Locale {
  const preferred = fallback ?? DEFAULT_LOCALE;
  if (header === undefined || header.trim() === '') return preferred;
  const ordered = [preferred, ...LOCALES.filter((l) => l !== preferred)];
  const chosen = new Negotiator({ headers: { 'accept-language': header } }).language(ordered);
  return isLocale(chosen) ? chosen : DEFAULT_LOCALE;
}
