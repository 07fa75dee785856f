import ipaddr from 'ipaddr.js';
import type { ConstituencyKeys } from './constituency-keys.js';

/** Every constituency rule, as `constituency_*` rows hold them (CIDRs and ASNs as text). */
export interface ConstituencyRows {
  domains: [state: string, domain: string][];
  cidrs: [state: string, cidr: string][];
  asns: [state: string, asn: string][];
}

type Family = 'ipv4' | 'ipv6';

/**
 * The constituency rules in memory, matching exactly as the SQL reference matcher in
 * bench/routing.bench.js: domain suffixes and ASNs by equality, addresses by `cidr >>= inet` (same
 * family, prefix containment). Ranges are kept per prefix length, so an address costs one
 * map lookup per distinct length, however many ranges there are.
 */
export class ConstituencyIndex {
  private readonly domains = new Map<string, string[]>();
  private readonly asns = new Map<string, string[]>();
  private readonly ranges: Record<Family, Map<number, Map<string, string[]>>> = {
    ipv4: new Map(),
    ipv6: new Map(),
  };

  constructor(rows: ConstituencyRows) {
    for (const [state, domain] of rows.domains) add(this.domains, domain, state);
    for (const [state, asn] of rows.asns) add(this.asns, asn, state);
    for (const [state, cidr] of rows.cidrs) {
      const [address, length] = ipaddr.parseCIDR(cidr);
      const family = address.kind();
      let byNetwork = this.ranges[family].get(length);
      if (!byNetwork) this.ranges[family].set(length, (byNetwork = new Map()));
      add(byNetwork, networkKey(address.toByteArray(), length), state);
    }
  }

  /** States whose constituency matches any of the keys. */
  match(keys: ConstituencyKeys): Set<string> {
    const states = new Set<string>();
    const addAll = (found: string[] | undefined) => found?.forEach((s) => states.add(s));
    for (const domain of keys.domains) addAll(this.domains.get(domain));
    for (const asn of keys.asns) addAll(this.asns.get(asn));
    for (const ip of keys.ips) {
      const address = ipaddr.parse(ip);
      const bytes = address.toByteArray();
      for (const [length, byNetwork] of this.ranges[address.kind()]) {
        addAll(byNetwork.get(networkKey(bytes, length)));
      }
    }
    return states;
  }
}

function add(map: Map<string, string[]>, key: string, state: string): void {
  const states = map.get(key);
  if (!states) map.set(key, [state]);
  else if (!states.includes(state)) states.push(state);
}

/** The first `length` bits of the address, as text. */
function networkKey(bytes: number[], length: number): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    out.push(bytes[i] & ((0xff << (8 - bits)) & 0xff));
  }
  return out.join('.');
}
