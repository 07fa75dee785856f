import ipaddr from 'ipaddr.js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

export class BlockedAddressError extends Error {}

/**
 * Why an address may not receive webhooks (SSRF guard), or null when it is public unicast.
 * ipaddr.js names every special range; only `unicast` is a normal Internet address.
 * IPv4-mapped IPv6 is judged by the IPv4 address inside it.
 */
export function blockedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/**
 * Resolves a URL's host once and returns the address to connect to. Every resolved
 * address must be public unless private ones are allowed; the caller connects to the
 * returned address, so a second DNS answer (rebinding) cannot change the target.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedAddressError(`SSRF guard: scheme ${url.protocol} is not allowed`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses: ResolvedTarget[] = family
    ? [{ address: host, family: family as 4 | 6 }]
    : (await lookup(host, { all: true, verbatim: true })).map((a) => ({
        address: a.address,
        family: a.family as 4 | 6,
      }));
  if (addresses.length === 0) throw new Error(`DNS: no address for ${host}`);
  if (!allowPrivate) {
    for (const a of addresses) {
      const range = blockedRange(a.address);
      if (range) {
        const what = family ? `${host} is` : `${host} resolves to ${a.address}, which is`;
        throw new BlockedAddressError(`SSRF guard: ${what} a ${range} address, not allowed`);
      }
    }
  }
  return addresses[0];
}
