export interface NormalisedObservable {
  type: string;
  value: string;
}

export interface ConstituencyKeys {
  /** Every suffix of every host name: a.b.ru → a.b.ru, b.ru, ru. */
  domains: string[];
  ips: string[];
  asns: string[];
}

/** What an observable can match in a constituency (values are already normalised). */
export function constituencyKeys(observables: NormalisedObservable[]): ConstituencyKeys {
  const domains = new Set<string>();
  const ips = new Set<string>();
  const asns = new Set<string>();
  const addHost = (host: string) => {
    if (/^[\d.]+$/.test(host) || host.includes(':')) {
      ips.add(host.replace(/^\[|\]$/g, ''));
      return;
    }
    const labels = host.split('.');
    for (let i = 0; i < labels.length; i++) domains.add(labels.slice(i).join('.'));
  };
  for (const { type, value } of observables) {
    switch (type) {
      case 'domain':
        addHost(value);
        break;
      case 'email':
        addHost(value.slice(value.lastIndexOf('@') + 1));
        break;
      case 'url':
        try {
          addHost(new URL(value).hostname);
        } catch {
          // normalised URLs always parse
        }
        break;
      case 'ipv4':
      case 'ipv6':
        ips.add(value);
        break;
      case 'asn':
        asns.add(value);
        break;
    }
  }
  return { domains: [...domains], ips: [...ips], asns: [...asns] };
}
