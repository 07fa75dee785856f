// Filing load for the benchmarks: a realistic incident body (one dispatched state, two
// observables, each filing distinct) and autocannon posting it.
import autocannon from 'autocannon';

let n = 0;
/** A new incident for Kazakhstan, as JSON text. */
export function incidentBody() {
  n += 1;
  return JSON.stringify({
    title: `Phishing campaign wave ${n}`,
    description: 'Credential-harvesting pages impersonating a ministry portal.',
    category: 'fraud/phishing',
    severity: 'high',
    tlp: 'TLP:AMBER',
    sector: 'government',
    affectedStates: ['KZ'],
    observables: [
      { type: 'domain', value: `login-${n}.gov-portal.example` },
      { type: 'ipv4', value: `203.0.${(n >> 8) & 255}.${n & 255}` },
    ],
  });
}

/** autocannon POSTing new incidents with `key` over `connections` connections. */
export function cannon(url, key, connections, options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/api/v1/incidents`,
        method: 'POST',
        connections,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        setupClient: (client) => client.setBody(incidentBody()),
        requests: [{ setupRequest: (req) => ({ ...req, body: incidentBody() }) }],
        ...options,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('error', reject);
  });
}
