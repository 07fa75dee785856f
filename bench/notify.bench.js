// Notification latency: from the 201 of POST /api/v1/incidents to the signed webhook's
// arrival at a local receiver, at a steady 50 incidents/s (open loop: requests leave on a
// fixed schedule, whatever the previous ones are doing).
// Baseline in the same run: a bare HTTP POST round trip to the same receiver at the same rate.
// Runs the built service (dist/, or BENCH_DIST=.build/x) on a scratch database and queue prefix.
// Usage: npm run build && node bench/notify.bench.js   (BENCH_RATE, BENCH_SECONDS)
// BENCH_MODE=outbox skips the intake: events are committed straight into the outbox (as
// OutboxService writes them) and latency runs from COMMIT to arrival: the pipeline alone.
// Prints one JSON line per figure and a human summary. Never fails for being slow.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  databaseUrl,
  dropDatabase,
  figure,
  ROOT,
  scratchName,
  summarize,
  startService,
  deleteQueueKeys,
} from './lib/common.js';
import { startReceiver } from './lib/receiver.js';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = 50;
const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist');
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const TARGET = 'KZ';
const MODE = process.env.BENCH_MODE === 'outbox' ? 'outbox' : 'intake';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function api(url, method, route, key, body) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

let n = 0;
function incidentBody() {
  n += 1;
  return JSON.stringify({
    title: `Notification latency ${n}`,
    category: 'fraud/phishing',
    severity: 'high',
    tlp: 'TLP:AMBER',
    sector: 'finance',
    affectedStates: [TARGET],
  });
}

/** Sends `count` requests on a fixed schedule; resolves with each one's result. */
async function paced(count, rate, send) {
  const interval = 1000 / rate;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(send(i));
  }
  return Promise.all(pending);
}

async function main() {
  const dbName = scratchName('notify');
  const prefix = `bench_notify_${randomBytes(3).toString('hex')}`;
  const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));
  await prepareDatabase(databaseUrl(dbName));
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(secret);
  const service = await startService({
    DATABASE_URL: databaseUrl(dbName),
    CCC_QUEUE_PREFIX: prefix,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_WEBHOOK_ALLOW_PRIVATE: 'true',
    CCC_RATE_LIMIT_PER_MINUTE: '0',
  });
  try {
    await api(service.url, 'PUT', `/api/v1/member-states/${TARGET}/contacts`, ADMIN_KEY, {
      contacts: [{ type: 'webhook', url: `${receiver.url}/hook`, secret }],
    });
    const { key } = await api(service.url, 'POST', '/api/v1/api-keys', ADMIN_KEY, {
      name: 'bench-analyst',
      role: 'analyst',
      state: 'AM',
    });
    const auth = { authorization: `Bearer ${key}` };
    const incidentsUrl = `${service.url}/api/v1/incidents`;
    const pool = new pg.Pool({ connectionString: databaseUrl(dbName), max: 16 });
    /** Files one incident (or commits one event); resolves with its id and times. */
    const fileOne = async () => {
      const sent = performance.now();
      if (MODE === 'outbox') {
        const id = randomUUID();
        const body = {
          id: randomUUID(),
          type: 'incident.routed',
          occurredAt: new Date().toISOString(),
          data: { incident: { id, reference: 'CCC-2026-000001', title: 'bench' } },
        };
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(
            `INSERT INTO outbox (event_id, type, party, incident_id, payload) VALUES ($1, $2, $3, $4, $5)`,
            [body.id, body.type, TARGET, id, JSON.stringify(body)],
          );
          await client.query(`SELECT pg_notify('ccc_outbox', '')`);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        return { id, sent, answered: performance.now() };
      }
      const res = await post(incidentsUrl, incidentBody(), auth);
      const answered = performance.now();
      return res.status === 201 ? { id: JSON.parse(res.text).id, sent, answered } : null;
    };

    // Warm-up: connections, JIT, caches.
    await paced(WARMUP, RATE, fileOne);
    await sleep(1000);

    const count = RATE * SECONDS;
    const filed = await paced(count, RATE, fileOne);
    await pool.end();
    const accepted = filed.filter(Boolean);
    const deadline = Date.now() + 30_000;
    while (accepted.some((f) => !receiver.arrivals.has(f.id)) && Date.now() < deadline) {
      await sleep(100);
    }
    const delivered = accepted.filter((f) => receiver.arrivals.has(f.id));
    // Negative when the webhook arrived before the 201 reached the client.
    const after201 = summarize(delivered.map((f) => receiver.arrivals.get(f.id) - f.answered));
    const afterSend = summarize(delivered.map((f) => receiver.arrivals.get(f.id) - f.sent));
    const intake = summarize(accepted.map((f) => f.answered - f.sent));

    // Baseline: the same receiver, a bare POST of a similar body at the same rate.
    const sample = JSON.stringify({
      id: 'x',
      type: 'incident.routed',
      data: { pad: 'x'.repeat(600) },
    });
    const baselineTimes = await paced(count, RATE, async () => {
      const t = performance.now();
      await post(`${receiver.url}/baseline`, sample);
      return performance.now() - t;
    });
    const baseline = summarize(baselineTimes);

    const extra = { rate: RATE, seconds: SECONDS, mode: MODE };
    figure('notify', 'incidents_accepted', accepted.length, 'count', { ...extra, sent: count });
    figure('notify', 'webhooks_delivered', delivered.length, 'count', extra);
    figure('notify', 'bad_signatures', receiver.badSignatures(), 'count', extra);
    figure('notify', 'latency_201_to_webhook_p50', after201.p50, 'ms', extra);
    figure('notify', 'latency_201_to_webhook_p99', after201.p99, 'ms', extra);
    figure('notify', 'latency_201_to_webhook_max', after201.max, 'ms', extra);
    figure('notify', 'latency_request_to_webhook_p50', afterSend.p50, 'ms', extra);
    figure('notify', 'latency_request_to_webhook_p99', afterSend.p99, 'ms', extra);
    figure('notify', 'intake_201_p50', intake.p50, 'ms', extra);
    figure('notify', 'intake_201_p99', intake.p99, 'ms', extra);
    figure('notify', 'baseline_post_roundtrip_p50', baseline.p50, 'ms', extra);
    figure('notify', 'baseline_post_roundtrip_p99', baseline.p99, 'ms', extra);
    figure('notify', 'ratio_p99_to_baseline_p99', after201.p99 / baseline.p99, 'x', extra);
    console.log(
      `\nnotify (${MODE}): ${delivered.length}/${accepted.length} delivered at ${RATE}/s; ` +
        `${MODE === 'outbox' ? 'commit' : '201'} -> webhook p50 ${after201.p50.toFixed(1)} ms, p99 ${after201.p99.toFixed(1)} ms ` +
        `(target p99 < 100 ms); bare POST round trip p50 ${baseline.p50.toFixed(1)} ms, ` +
        `p99 ${baseline.p99.toFixed(1)} ms; intake 201 p99 ${intake.p99.toFixed(1)} ms`,
    );
  } finally {
    await service.stop();
    await receiver.close();
    agent.destroy();
    await deleteQueueKeys(prefix);
    await dropDatabase(dbName);
  }
}

await main();
