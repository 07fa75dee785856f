import { isEmail } from 'class-validator';
import { domainToASCII } from 'node:url';
import type { FieldError } from '../common/problem.js';
import { type Locale, msg, WORKING_LOCALE } from '../i18n/i18n.js';

export const MAX_CONTACTS = 20;
export const MAX_URL_LENGTH = 2000;
/** Standard Webhooks: `whsec_` then the base64 key. */
const SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 64;

export interface ContactInput {
  type: string;
  url?: string;
  secret?: string;
  address?: string;
  locale?: Locale;
}

/** E-mail contacts get the center's working language unless they ask for English. */
export const DEFAULT_CONTACT_LOCALE: Locale = WORKING_LOCALE;

export type StoredContact =
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'email'; address: string; locale: Locale };

/** What callers may see of a contact: never the secret nor URL credentials. */
export type ContactView =
  { type: 'webhook'; url: string } | { type: 'email'; address: string; locale: Locale };

export function checkWebhookUrl(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

export function isWebhookSecret(raw: string): boolean {
  const match = SECRET.exec(raw);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES;
}

/** Lower-cases and punycodes the domain part; the local part is kept as given. */
export function normaliseEmail(raw: string): string | null {
  const at = raw.lastIndexOf('@');
  if (at <= 0 || raw.length > 254) return null;
  const domain = domainToASCII(raw.slice(at + 1).toLowerCase());
  if (!domain) return null;
  const address = `${raw.slice(0, at)}@${domain}`;
  return isEmail(address, { allow_display_name: false, allow_ip_domain: false }) ? address : null;
}

/** Checks each contact and names the bad field (`contacts[1].url`); no value is echoed. */
export function checkContacts(contacts: ContactInput[]): {
  value: StoredContact[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const value: StoredContact[] = [];
  contacts.forEach((c, i) => {
    const at = (name: string) => `contacts[${i}].${name}`;
    const refuse = (names: (keyof ContactInput)[]) => {
      for (const name of names) {
        if (c[name] !== undefined)
          errors.push({ field: at(name), message: msg('contact.notAllowed', { type: c.type }) });
      }
    };
    if (c.type === 'webhook') {
      refuse(['address', 'locale']);
      const url = c.url == null ? null : checkWebhookUrl(c.url);
      if (url === null) {
        errors.push({
          field: at('url'),
          message: msg('contact.url', { max: MAX_URL_LENGTH }),
        });
      }
      const secretOk = c.secret != null && isWebhookSecret(c.secret);
      if (!secretOk) {
        errors.push({
          field: at('secret'),
          message: msg('contact.secret', { min: MIN_SECRET_BYTES, max: MAX_SECRET_BYTES }),
        });
      }
      if (url !== null && secretOk) value.push({ type: 'webhook', url, secret: c.secret! });
    } else if (c.type === 'email') {
      refuse(['url', 'secret']);
      const address = c.address == null ? null : normaliseEmail(c.address);
      if (address === null) errors.push({ field: at('address'), message: msg('contact.address') });
      else value.push({ type: 'email', address, locale: c.locale ?? DEFAULT_CONTACT_LOCALE });
    }
  });
  return { value, errors };
}

/** Credentials in a webhook URL are secrets too: shown as `***`. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return url.href;
    url.username = '***';
    url.password = '';
    return url.href;
  } catch {
    return '***';
  }
}

export function toContactView(c: StoredContact): ContactView {
  return c.type === 'webhook'
    ? { type: 'webhook', url: redactUrl(c.url) }
    : { type: 'email', address: c.address, locale: c.locale };
}

/** For the audit log: where notifications go, without secrets, credentials, paths or queries. */
export function toAuditEntry(c: StoredContact): Record<string, string> {
  return c.type === 'webhook'
    ? { type: 'webhook', origin: new URL(c.url).origin }
    : { type: 'email', address: c.address, locale: c.locale };
}

/** A row of `contacts` as replacement needs it. */
export interface ExistingContact {
  id: string;
  type: string;
  url: string | null;
  address: string | null;
}

/** How to turn a party's rows into the wanted list without touching the contacts that stay. */
export interface ContactPlan {
  /** Rows that stay (same type and URL or address): new position, current secret. */
  keep: { id: string; position: number; secret: string | null; locale: Locale | null }[];
  insert: { position: number; contact: StoredContact }[];
  /** Rows whose contact is no longer wanted. */
  remove: string[];
}

const keyOf = (type: string, target: string | null) => `${type} ${target ?? ''}`;

/**
 * Keeps the id of every contact that stays, so deliveries pending for it (which point at
 * its row) go on; a changed secret is updated in place. A repeated contact is matched
 * pairwise, in order.
 */
export function planContactReplacement(
  existing: ExistingContact[],
  wanted: StoredContact[],
): ContactPlan {
  const unused = new Map<string, string[]>();
  for (const row of existing) {
    const key = keyOf(row.type, row.type === 'webhook' ? row.url : row.address);
    unused.set(key, [...(unused.get(key) ?? []), row.id]);
  }
  const plan: ContactPlan = { keep: [], insert: [], remove: [] };
  wanted.forEach((contact, position) => {
    const key = keyOf(contact.type, contact.type === 'webhook' ? contact.url : contact.address);
    const id = unused.get(key)?.shift();
    const secret = contact.type === 'webhook' ? contact.secret : null;
    const locale = contact.type === 'email' ? contact.locale : null;
    if (id) plan.keep.push({ id, position, secret, locale });
    else plan.insert.push({ position, contact });
  });
  plan.remove = [...unused.values()].flat();
  return plan;
}
