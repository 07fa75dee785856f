import ipaddr from 'ipaddr.js';
import { domainToASCII } from 'node:url';
import type { FieldError } from '../common/problem.js';
import { type MessageKey, type MessageValues, msg, type Msg } from '../i18n/i18n.js';
import type { ObservableType } from '../vocabulary/vocabulary.js';

export interface Observable {
  type: ObservableType;
  value: string;
}

/** `message` is a catalogue message, written in the reader's language by the problem filter. */
export type Normalised = { ok: true; value: string } | { ok: false; message: Msg };

const ok = (value: string): Normalised => ({ ok: true, value });
const bad = (key: MessageKey, values?: MessageValues): Normalised => ({
  ok: false,
  message: msg(key, values),
});

const HASH_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const;
const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:']);
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAX_ASN = 4_294_967_295;
// RFC 5322 local parts (with RFC 6531 non-ASCII letters): dot-atom or quoted string.
const ATEXT = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`, 'u');
const QUOTED = /^"(?:[^"\\\r\n]|\\.)+"$/;

/** Canonical text of one observable, or why it is malformed. Pure. */
export function normaliseObservable(type: ObservableType, raw: string): Normalised {
  const value = raw.trim();
  if (value === '') return bad('obs.empty');
  switch (type) {
    case 'ipv4':
      return normaliseIpv4(value);
    case 'ipv6':
      return normaliseIpv6(value);
    case 'domain':
      return normaliseDomain(value);
    case 'url':
      return normaliseUrl(value);
    case 'email':
      return normaliseEmail(value);
    case 'md5':
    case 'sha1':
    case 'sha256':
      return normaliseHash(type, value);
    case 'cve':
      return normaliseCve(value);
    case 'asn':
      return normaliseAsn(value);
  }
}

/** Only dotted quads without leading zeros: `010.1.1.1` and `10.1` are ambiguous. */
export function normaliseIpv4(value: string): Normalised {
  if (!ipaddr.IPv4.isValidFourPartDecimal(value)) {
    return bad('obs.ipv4');
  }
  return ok(ipaddr.IPv4.parse(value).toString());
}

/** RFC 5952 text: lower case, longest zero run compressed. Zone ids are refused. */
export function normaliseIpv6(value: string): Normalised {
  if (value.includes('%') || !ipaddr.IPv6.isValid(value)) {
    return bad('obs.ipv6');
  }
  return ok(ipaddr.IPv6.parse(value).toRFC5952String());
}

/** Lower case, no trailing dot, IDN labels as punycode, DNS length rules. */
export function normaliseDomain(value: string, part = 'value'): Normalised {
  const bad = (key: MessageKey) => ({ ok: false, message: msg(key, { part }) }) as const;
  const withoutDot = value.endsWith('.') ? value.slice(0, -1) : value;
  if (withoutDot === '' || /[\s/@:]/.test(withoutDot)) return bad('obs.domain.invalid');
  const ascii = domainToASCII(withoutDot.toLowerCase());
  if (ascii === '') return bad('obs.domain.invalid');
  if (ascii.length > 253) return bad('obs.domain.tooLong');
  const labels = ascii.split('.');
  if (labels.length < 2) return bad('obs.domain.twoLabels');
  if (!labels.every((l) => LABEL.test(l))) {
    return bad('obs.domain.labels');
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return bad('obs.domain.notAddress');
  return ok(ascii);
}

/** A parsed absolute URL with its host normalised (IDN, case, trailing dot, IP text). */
export function normaliseUrl(value: string): Normalised {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return bad('obs.url');
  }
  if (!URL_SCHEMES.has(url.protocol)) {
    return bad('obs.urlScheme', {
      schemes: [...URL_SCHEMES].map((s) => s.slice(0, -1)).join(', '),
    });
  }
  const host = url.hostname;
  if (host.startsWith('[')) return ok(url.href); // WHATWG already prints RFC 5952 text
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ok(url.href);
  const domain = normaliseDomain(host, 'host');
  if (!domain.ok) return domain;
  url.hostname = domain.value;
  return ok(url.href);
}

/** The local part is kept as sent (it may be case-sensitive); the domain is normalised. */
export function normaliseEmail(value: string): Normalised {
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return bad('obs.email');
  const local = value.slice(0, at);
  if (local.length > 64 || !(DOT_ATOM.test(local) || QUOTED.test(local))) {
    return bad('obs.emailLocal');
  }
  const domain = normaliseDomain(value.slice(at + 1), 'domain');
  if (!domain.ok) return domain;
  const address = `${local}@${domain.value}`;
  if (address.length > 254) return bad('obs.emailTooLong');
  return ok(address);
}

export function normaliseHash(type: keyof typeof HASH_LENGTHS, value: string): Normalised {
  const length = HASH_LENGTHS[type];
  if (value.length !== length || !/^[0-9a-f]+$/i.test(value)) {
    return bad('obs.hash', { length });
  }
  return ok(value.toLowerCase());
}

export function normaliseCve(value: string): Normalised {
  if (!/^cve-\d{4}-\d{4,19}$/i.test(value)) return bad('obs.cve');
  return ok(value.toUpperCase());
}

/** `AS64500`, `as64500` and `64500` are all ASN 64500. */
export function normaliseAsn(value: string): Normalised {
  const m = /^(?:as)?(\d{1,10})$/i.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_ASN) {
    return bad('obs.asn', { max: String(MAX_ASN) });
  }
  return ok(String(n));
}

/**
 * Normalises a list, naming each malformed entry by its index, and collapses
 * entries that are equal once normalised (the first occurrence keeps its place).
 */
export function normaliseObservables(input: Observable[]): {
  observables: Observable[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const observables: Observable[] = [];
  input.forEach(({ type, value }, index) => {
    const result = normaliseObservable(type, value);
    if (!result.ok) {
      errors.push({ field: `observables[${index}].value`, message: result.message });
      return;
    }
    const key = `${type}\u0000${result.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    observables.push({ type, value: result.value });
  });
  return { observables, errors };
}
