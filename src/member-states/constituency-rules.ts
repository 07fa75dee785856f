import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { FieldError } from '../common/problem.js';
import { type MessageKey, type MessageValues, msg, type Msg } from '../i18n/i18n.js';

/** `message` is a catalogue message, written in the reader's language by the problem filter. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: Msg };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(key: MessageKey, values?: MessageValues): Checked<T> => ({
  ok: false,
  message: msg(key, values),
});

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MAX_ASN = 4_294_967_295;
/** More errors than this are summarised: the body of a 400 stays small. */
const MAX_ERRORS = 100;

/**
 * A constituency domain: lower-case, no trailing dot, IDN as punycode, LDH labels of
 * 1..63 characters, at most 253 in all. Matching is by suffix, so `*.` is refused.
 */
export function normaliseDomain(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return fail('constituency.string');
  if (raw.startsWith('*.')) return fail('constituency.wildcard');
  if (raw.length > 253 || /\s/.test(raw)) return fail('constituency.domain');
  const ascii = domainToASCII(raw.toLowerCase().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253) return fail('constituency.domain');
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return fail('constituency.domain');
  if (/^\d+$/.test(labels[labels.length - 1])) return fail('constituency.domain');
  return ok(ascii);
}

/**
 * A constituency range in canonical network text (`192.0.2.0/24`, `2001:db8::/32`). A bare
 * address is a /32 or /128. Host bits set are refused rather than silently zeroed: a
 * range of `10.1.2.3/8` is most likely a typo, and a wrong range shares incidents with
 * the wrong state. IPv4-mapped IPv6 ranges are stored as the IPv4 range they denote.
 */
export function normaliseCidr(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return fail('constituency.string');
  if (raw.length > 64) return fail('constituency.cidr');
  const slash = raw.lastIndexOf('/');
  const address = slash < 0 ? raw : raw.slice(0, slash);
  const prefixText = slash < 0 ? null : raw.slice(slash + 1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return fail('constituency.cidr');

  // node:net's isIP refuses octal, hex and short IPv4 forms and IPv6 garbage cheaply.
  const kind = isIP(address);
  if (kind === 0 || address.includes('%')) return fail('constituency.cidr');
  const ip = kind === 4 ? ipaddr.IPv4.parse(address) : ipaddr.IPv6.parse(address);
  const bits = ip.kind() === 'ipv4' ? 32 : 128;
  const prefix = prefixText === null ? bits : Number(prefixText);
  if (prefix > bits) return fail('constituency.cidrPrefix');
  if (prefix === 0) return fail('constituency.cidrAll');

  const network = networkOf(ip, prefix);
  if (network.toString() !== ip.toString()) {
    return fail('constituency.hostBits', { network: `${network.toString()}/${prefix}` });
  }
  if (network.kind() === 'ipv6' && prefix >= 96) {
    const v6 = network as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return ok(`${v6.toIPv4Address().toString()}/${prefix - 96}`);
  }
  return ok(`${network.toString()}/${prefix}`);
}

function networkOf(ip: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = ip.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return ipaddr.fromByteArray(bytes);
}

export function checkAsn(raw: unknown): Checked<number> {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_ASN) {
    return fail('constituency.asn', { max: String(MAX_ASN) });
  }
  return ok(raw);
}

export interface Constituency {
  domains: string[];
  cidrs: string[];
  asns: number[];
}

/**
 * Checks and normalises every entry, naming each bad one (`cidrs[2]`); duplicates that
 * only differ in spelling collapse into one entry.
 */
export function normaliseConstituency(input: {
  domains: unknown[];
  cidrs: unknown[];
  asns: unknown[];
}): { value: Constituency; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const run = <T>(field: string, items: unknown[], check: (v: unknown) => Checked<T>): T[] => {
    const out = new Set<T>();
    items.forEach((item, i) => {
      const result = check(item);
      if (result.ok) out.add(result.value);
      else errors.push({ field: `${field}[${i}]`, message: result.message });
    });
    return [...out];
  };
  const value = {
    domains: run('domains', input.domains, normaliseDomain),
    cidrs: run('cidrs', input.cidrs, normaliseCidr),
    asns: run('asns', input.asns, checkAsn),
  };
  if (errors.length > MAX_ERRORS) {
    const more = errors.length - MAX_ERRORS;
    errors.length = MAX_ERRORS;
    errors.push({ field: '*', message: msg('constituency.more', { count: more }) });
  }
  return { value, errors };
}
