import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export interface NormalisedObservable {
  type: string;
  value: string;
}

export interface ConstituencyKeys {
  /** Every suffix of every host name: a.b.ru → a.b.ru, b.ru, ru. */
  domains: string[];
  /** Canonical address text, ready for `::inet`. */
  ips: string[];
  /** Decimal ASNs, ready for `::bigint`. */
  asns: string[];
}

const MAX_ASN = 4_294_967_295;

/**
 * What an observable can match in a constituency. Values arrive normalised by intake, but
 * anything that would not cast cleanly in SQL is dropped here so routing can never fail
 * the intake transaction.
 */
export function constituencyKeys(observables: NormalisedObservable[]): ConstituencyKeys {
  const domains = new Set<string>();
  const ips = new Set<string>();
  const asns = new Set<string>();

  // node:net's isIP is strict (no octal or short IPv4 forms) and far cheaper than
  // ipaddr.js on non-addresses, which every host name is.
  const addIp = (text: string): boolean => {
    const kind = isIP(text);
    if (kind === 0 || text.includes('%')) return false;
    if (kind === 4) {
      ips.add(text);
      return true;
    }
    const address = ipaddr.IPv6.parse(text);
    // ::ffff:a.b.c.d is the IPv4 host; let IPv4 ranges match it too.
    if (address.isIPv4MappedAddress()) ips.add(address.toIPv4Address().toString());
    ips.add(address.toString());
    return true;
  };

  const addHost = (raw: string) => {
    let host = raw.trim().toLowerCase();
    if (host.startsWith('[') && host.endsWith(']')) {
      // URL and e-mail address literals: [2001:db8::1], [IPv6:2001:db8::1], [192.0.2.1]
      addIp(host.slice(1, -1).replace(/^ipv6:/, ''));
      return;
    }
    if (addIp(host)) return;
    host = domainToASCII(host.replace(/\.$/, ''));
    if (!host) return;
    const labels = host.split('.');
    if (labels.some((l) => l === '')) return;
    for (let i = 0; i < labels.length; i++) domains.add(labels.slice(i).join('.'));
  };

  for (const { type, value } of observables) {
    if (typeof value !== 'string') continue;
    switch (type) {
      case 'domain':
        addHost(value);
        break;
      case 'email': {
        const at = value.lastIndexOf('@');
        if (at > 0) addHost(value.slice(at + 1));
        break;
      }
      case 'url':
        try {
          addHost(new URL(value).hostname);
        } catch {
          // not a URL: nothing to match
        }
        break;
      case 'ipv4':
      case 'ipv6':
        addIp(value);
        break;
      case 'asn': {
        const digits = value.replace(/^as/i, '');
        if (/^\d{1,10}$/.test(digits) && Number(digits) <= MAX_ASN) {
          asns.add(String(Number(digits)));
        }
        break;
      }
    }
  }
  return { domains: [...domains], ips: [...ips], asns: [...asns] };
}
