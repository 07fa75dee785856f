// Intake throughput against the PostgreSQL ceiling, in one run:
//  1. autocannon, 32 connections, authenticated POST /api/v1/incidents (two observables, one
//     affected state: routing, a dispatch, outbox and timeline rows are written);
//  2. pgbench at the same concurrency doing the same durable writes straight in SQL
//     (one transaction: incident, its observables, its dispatch, its outbox row);
//  3. the intake at half the measured maximum rate, evenly paced, for latency at a
//     sustainable load;
//  4. a soak at half rate, sampling the service's resident memory.
// Prints one JSON line per figure and a human summary. Never fails for being slow.
import {
  figure,
  summarize,
  migratedDatabase,
  round,
  rssMb,
  slopePerMinute,
  startService,
} from './lib/common.js';
import { cannon as fileMany, paced } from './lib/filing.js';
import { pgbench } from './lib/pgbench.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

const cannon = (url, key, options) => fileMany(url, key, CONNECTIONS, options);

// The same rows the intake writes for one incident, as one transaction per pgbench run.
const PGBENCH_SCRIPT = `
\\set n random(1, 1000000000)
BEGIN;
WITH i AS (
  INSERT INTO incidents (id, reference, title, description, category, severity, tlp, sector, reporting_state, affected_states)
  VALUES (gen_random_uuid(), 'B-' || txid_current(), 'Phishing campaign wave', 'Credential-harvesting pages impersonating a ministry portal.', 'fraud/phishing', 'high', 'TLP:AMBER', 'government', 'BY', '{KZ}')
  RETURNING id
), o AS (
  INSERT INTO incident_observables (incident_id, position, type, value)
  SELECT i.id, v.position, v.type, v.value FROM i, (VALUES (0, 'domain', 'login-' || :n || '.gov-portal.example'), (1, 'ipv4', '203.0.113.7')) AS v(position, type, value)
), d AS (
  INSERT INTO dispatches (incident_id, state, status, escalation_level, ack_deadline)
  SELECT i.id, 'KZ', 'pending', 0, now() + interval '1 hour' FROM i
)
INSERT INTO outbox (event_id, type, party, incident_id, payload)
SELECT gen_random_uuid(), 'incident.routed', 'KZ', i.id, '{"type":"incident.routed"}' FROM i;
COMMIT;
`;

async function main() {
  const db = await migratedDatabase('intake');
  const service = await startService({
    DATABASE_URL: db.url,
    CCC_QUEUE_PREFIX: `${db.name}`,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'error',
  });
  try {
    const created = await fetch(`${service.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', role: 'analyst', state: 'BY' }),
    }).then((r) => r.json());
    const key = created.key;

    await cannon(service.url, key, { duration: 3 }); // warm-up
    const max = await cannon(service.url, key, { duration: SECONDS });
    const ceiling = pgbench(db.url, PGBENCH_SCRIPT, { clients: CONNECTIONS, seconds: SECONDS });
    const ratio = max.requests.average / ceiling.tps;
    figure('intake', 'max_rps', max.requests.average, 'req/s', { connections: CONNECTIONS });
    figure('intake', 'max_p50', max.latency.p50, 'ms');
    figure('intake', 'max_p99', max.latency.p99, 'ms');
    figure('intake', 'max_non2xx', max.non2xx + max.errors, 'count');
    figure('intake', 'pgbench_ceiling_tps', ceiling.tps, 'tps', { connections: CONNECTIONS });
    figure('intake', 'ratio', ratio, 'intake req/s ÷ ceiling tps');

    const halfRate = Math.max(1, Math.floor(max.requests.average / 2));
    const half = await paced(service.url, key, { rate: halfRate, seconds: SECONDS });
    const halfLatency = summarize(half.latencies);
    figure('intake', 'half_rate', halfRate, 'req/s');
    figure('intake', 'half_p50', halfLatency.p50, 'ms');
    figure('intake', 'half_p99', halfLatency.p99, 'ms');
    figure('intake', 'half_non2xx', half.non2xx + half.errors, 'count');

    const samples = [];
    const started = Date.now();
    const sampler = setInterval(
      () => samples.push({ t: (Date.now() - started) / 1000, mb: rssMb(service.pid) }),
      5000,
    );
    samples.push({ t: 0, mb: rssMb(service.pid) });
    const soak = await paced(service.url, key, { rate: halfRate, seconds: SOAK_SECONDS });
    clearInterval(sampler);
    samples.push({ t: (Date.now() - started) / 1000, mb: rssMb(service.pid) });
    // The first minute includes JIT warm-up and pool growth; judge growth after it.
    const settled = samples.filter((s) => s.t >= Math.min(60, SOAK_SECONDS / 3));
    const slope = slopePerMinute(settled);
    figure('intake', 'soak_seconds', SOAK_SECONDS, 's', { rate: halfRate });
    figure('intake', 'soak_non2xx', soak.non2xx + soak.errors, 'count');
    figure('intake', 'rss_start_mb', samples[0].mb, 'MB');
    figure('intake', 'rss_end_mb', samples[samples.length - 1].mb, 'MB');
    figure('intake', 'rss_max_mb', Math.max(...samples.map((s) => s.mb)), 'MB');
    figure('intake', 'rss_slope_mb_per_min', slope, 'MB/min');

    console.log(
      `intake: ${round(max.requests.average)} req/s vs pgbench ${round(ceiling.tps)} tps ` +
        `(ratio ${round(ratio)}), p99 ${max.latency.p99} ms at max, ${round(halfLatency.p99)} ms at ` +
        `${halfRate} req/s; RSS ${round(samples[0].mb)} → ${round(samples[samples.length - 1].mb)} MB ` +
        `over ${SOAK_SECONDS} s (${round(slope)} MB/min after warm-up)`,
    );
  } finally {
    await service.stop();
    await db.drop();
  }
}

await main();
