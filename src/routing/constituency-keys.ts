import ipaddr from 'ipaddr.js';
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

  const addIp = (text: string): boolean => {
    if (!ipaddr.isValid(text)) return false;
    if (ipaddr.IPv4.isIPv4(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return false;
    const address = ipaddr.parse(text);
    if (address.kind() === 'ipv6') {
      const v6 = address as ipaddr.IPv6;
      if (v6.zoneId) return false;
      // ::ffff:a.b.c.d is the IPv4 host; let IPv4 ranges match it too.
      if (v6.isIPv4MappedAddress()) ips.add(v6.toIPv4Address().toString());
    }
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
