import type { ObservableType } from '../vocabulary/vocabulary.js';

/** The object path each observable type is compared on; hash names with a hyphen are quoted. */
const PATHS: Record<Exclude<ObservableType, 'cve' | 'asn'>, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  // STIX patterning: a path component with a hyphen must be quoted (INTEROP T-STIX-3).
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
};

/** A STIX patterning string literal: backslash and quote escaped. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The STIX 2.1 pattern matching one normalised observable (see incidents/observables.ts:
 * domains and URL hosts are already punycode, IPv6 in RFC 5952 text, hashes lower case).
 * A CVE has no pattern (it is a `vulnerability`, not an observable); asking is a bug.
 */
export function stixPattern(type: string, value: string): string {
  if (type === 'asn') {
    if (!/^\d{1,10}$/.test(value)) throw new Error(`not a normalised ASN: ${value}`);
    return `[autonomous-system:number = ${Number(value)}]`;
  }
  const path = (PATHS as Record<string, string | undefined>)[type];
  if (!path) throw new Error(`no STIX pattern for observable type ${type}`);
  return `[${path} = ${literal(value)}]`;
}
