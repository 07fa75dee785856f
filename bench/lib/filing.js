// Filing load for the benchmarks: a realistic incident body (one dispatched state, two
// observables, each filing distinct), autocannon posting it as fast as it is answered, and
// an evenly paced open-loop load for latency at a given rate.
import autocannon from 'autocannon';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

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

/**
 * Open-loop load at an even `rate`: request i is due at start + i/rate, whatever earlier ones
 * are doing, over keep-alive connections (at most `connections`). autocannon's `overallRate`
 * is not this: each connection may send its share of the second as fast as answers come
 * back, so every second starts with a burst at full concurrency, and its latencies are
 * those of the maximum rate. Latency counts from when the request was due (a late send is
 * the service's delay too), to the end of the answer.
 */
export async function paced(url, key, { rate, seconds, connections = 32 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(`${url}/api/v1/incidents`);
  const count = Math.round(rate * seconds);
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  const post = (due) =>
    new Promise((resolve) => {
      const body = incidentBody();
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode >= 200 && res.statusCode < 300) {
              latencies.push(performance.now() - due);
            } else non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const start = performance.now() + 10;
  const inFlight = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(post(due));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, non2xx, errors, sent: count };
}
