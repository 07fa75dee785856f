// The whole pipeline as an operator runs it: the service started the default way (no
// CCC_ROLE: it uses the machine's cores), a signed-webhook contact on the dispatched state,
// the receiver on loopback, autocannon with 32 connections. In one run:
//  1. the plain-table ceiling: pgbench writing an incident, its dispatch and an outbox row
//     into tables with primary keys only (what the database can commit at all);
//  2. the intake alone (no contact: nothing delivered), max rate;
//  3. the full pipeline: every filing delivered, max rate counted until the last webhook
//     arrived; every webhook must arrive exactly once;
//  4. the full pipeline at half that rate (latency), and at 50 filings/s (201 → webhook);
//  5. a soak at half rate, notified, sampling the resident memory of every process.
// Prints one JSON line per figure and a summary. Never fails for being slow.
// Knobs: BENCH_SECONDS (20), BENCH_SOAK_SECONDS (300), BENCH_CONNECTIONS (32), BENCH_PROCESSES
// (sets CCC_PROCESSES, e.g. 1 to compare with the one-process layout).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  backendsOf,
  cpuMs,
  figure,
  migratedDatabase,
  PG_ADMIN_URL,
  processTree,
  round,
  rssMb,
  scratchName,
  slopePerMinute,
  startService,
  summarize,
} from './lib/common.js';
import { cannon as fileMany, incidentBody, paced } from './lib/filing.js';
import { plainCeiling } from './lib/pgbench.js';
import { startReceiver } from './lib/receiver.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const LATENCY_RATE = 50;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const TARGET = 'KZ';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cannon = (url, key, options) => fileMany(url, key, CONNECTIONS, options);

async function api(url, method, route, body) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** CPU used by the service's processes and by its database's backends since `start()`. */
function cpuMeter(servicePid, database) {
  const read = () => {
    const pids = { service: processTree(servicePid), database: backendsOf(database) };
    return Object.fromEntries(
      Object.entries(pids).map(([k, list]) => [k, new Map(list.map((p) => [p, cpuMs([p])]))]),
    );
  };
  let start = read();
  return {
    start: () => (start = read()),
    /** Milliseconds of CPU per filing, for the service and for the database. */
    perFiling: (filings) => {
      const now = read();
      const used = (k) =>
        [...now[k]].reduce((sum, [pid, ms]) => sum + ms - (start[k].get(pid) ?? 0), 0);
      return { service: used('service') / filings, database: used('database') / filings };
    },
  };
}

/**
 * Waits until everything filed so far was delivered (no unpublished outbox row, no pending
 * delivery; at most 120 s) and returns how many incidents had a webhook since `before`.
 */
async function drained(url, receiver, before) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const deadline = Date.now() + 120_000;
  try {
    while (Date.now() < deadline) {
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM deliveries WHERE status = 'pending') AS n`,
      );
      if (Number(rows[0].n) === 0) break;
      await sleep(50);
    }
  } finally {
    await client.end();
  }
  return receiver.arrivals.size - before;
}

/** The last arrival time among incidents that arrived after the first `before`. */
function lastArrival(receiver, before) {
  return Math.max(...[...receiver.arrivals.values()].slice(before));
}

async function main() {
  const db = await migratedDatabase('pipeline');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(secret);
  const service = await startService({
    DATABASE_URL: db.url,
    CCC_QUEUE_PREFIX: db.name,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_WEBHOOK_ALLOW_PRIVATE: 'true',
    CCC_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'error',
    ...(process.env.BENCH_PROCESSES ? { CCC_PROCESSES: process.env.BENCH_PROCESSES } : {}),
  });
  const processes = () => processTree(service.pid);
  try {
    const { key } = await api(service.url, 'POST', '/api/v1/api-keys', {
      name: 'bench',
      role: 'analyst',
      state: 'BY',
    });
    figure('pipeline', 'processes', processes().length, 'count');

    // 1. What the database commits at all.
    const plain = await plainCeiling(PG_ADMIN_URL, scratchName('plain'), {
      clients: CONNECTIONS,
      seconds: SECONDS,
    });
    figure('pipeline', 'plain_ceiling_tps', plain.tps, 'tps', { connections: CONNECTIONS });

    // 2. The intake alone: no contact, nothing to deliver.
    await cannon(service.url, key, { duration: 3 });
    const cpu = cpuMeter(service.pid, db.name);
    cpu.start();
    const alone = await cannon(service.url, key, { duration: SECONDS });
    const aloneCpu = cpu.perFiling(alone['2xx']);
    figure('pipeline', 'intake_cpu_ms_per_filing', aloneCpu.service, 'ms', {
      database: round(aloneCpu.database),
    });
    figure('pipeline', 'intake_rps', alone.requests.average, 'req/s');
    figure('pipeline', 'intake_p99', alone.latency.p99, 'ms');
    figure('pipeline', 'intake_non2xx', alone.non2xx + alone.errors, 'count');
    figure('pipeline', 'intake_ratio', alone.requests.average / plain.tps, 'of plain ceiling');

    // 3. Every filing notified, counted until its webhook arrived.
    await drained(db.url, receiver, 0);
    await api(service.url, 'PUT', `/api/v1/member-states/${TARGET}/contacts`, {
      contacts: [{ type: 'webhook', url: `${receiver.url}/hook`, secret }],
    });
    await cannon(service.url, key, { duration: 3 });
    await drained(db.url, receiver, 0);
    const before = receiver.arrivals.size;
    const started = performance.now();
    cpu.start();
    const full = await cannon(service.url, key, { duration: SECONDS });
    const delivered = await drained(db.url, receiver, before);
    const fullCpu = cpu.perFiling(delivered);
    figure('pipeline', 'notified_cpu_ms_per_filing', fullCpu.service, 'ms', {
      database: round(fullCpu.database),
    });
    const seconds = (lastArrival(receiver, before) - started) / 1000;
    const notifiedRate = delivered / seconds;
    figure('pipeline', 'notified_rps', notifiedRate, 'filings/s delivered', {
      accepted: full['2xx'],
      delivered,
      seconds: round(seconds),
    });
    figure('pipeline', 'notified_intake_rps', full.requests.average, 'req/s');
    figure('pipeline', 'notified_p99', full.latency.p99, 'ms');
    figure('pipeline', 'notified_non2xx', full.non2xx + full.errors, 'count');
    figure('pipeline', 'notified_ratio', notifiedRate / plain.tps, 'of plain ceiling');

    // 4. Latency at half that rate, and from the 201 to the webhook at 50/s.
    const halfRate = Math.max(1, Math.floor(notifiedRate / 2));
    // Evenly paced (open loop): autocannon's overallRate bursts at the start of each second.
    const half = await paced(service.url, key, { rate: halfRate, seconds: SECONDS });
    const halfLatency = summarize(half.latencies);
    figure('pipeline', 'half_rate', halfRate, 'req/s');
    figure('pipeline', 'half_p50', halfLatency.p50, 'ms');
    figure('pipeline', 'half_p99', halfLatency.p99, 'ms', { max: round(halfLatency.max) });
    figure('pipeline', 'half_non2xx', half.non2xx + half.errors, 'count');
    await drained(db.url, receiver, before);
    const latencies = await notificationLatency(service.url, key, receiver);
    const latency = summarize(latencies);
    figure('pipeline', 'notify_latency_p50', latency.p50, 'ms', { rate: LATENCY_RATE });
    figure('pipeline', 'notify_latency_p99', latency.p99, 'ms', { rate: LATENCY_RATE });

    // 5. Memory of every process over a soak at half rate, notified.
    const samples = new Map(processes().map((pid) => [pid, []]));
    const t0 = Date.now();
    const sample = () => {
      for (const [pid, list] of samples) {
        try {
          list.push({ t: (Date.now() - t0) / 1000, mb: rssMb(pid) });
        } catch {
          /* gone */
        }
      }
    };
    sample();
    const sampler = setInterval(sample, 5000);
    const soak = await paced(service.url, key, { rate: halfRate, seconds: SOAK_SECONDS });
    clearInterval(sampler);
    sample();
    figure('pipeline', 'soak_non2xx', soak.non2xx + soak.errors, 'count', {
      seconds: SOAK_SECONDS,
      rate: halfRate,
    });
    let worstMax = 0;
    let worstSlope = 0;
    for (const [pid, list] of samples) {
      const settled = list.filter((s) => s.t >= Math.min(60, SOAK_SECONDS / 3));
      const max = Math.max(...list.map((s) => s.mb));
      const slope = slopePerMinute(settled);
      worstMax = Math.max(worstMax, max);
      worstSlope = Math.max(worstSlope, slope);
      figure('pipeline', 'rss_max_mb', max, 'MB', { pid, slopeMbPerMin: round(slope) });
    }
    await drained(db.url, receiver, before);
    figure('pipeline', 'duplicate_webhooks', receiver.duplicates(), 'count');
    figure('pipeline', 'bad_signatures', receiver.badSignatures(), 'count');
    figure('pipeline', 'rss_worst_max_mb', worstMax, 'MB');
    figure('pipeline', 'rss_worst_slope_mb_per_min', worstSlope, 'MB/min');

    console.log(
      `\npipeline (${samples.size} processes): plain ceiling ${round(plain.tps)} tps; intake alone ` +
        `${round(alone.requests.average)} req/s (ratio ${round(alone.requests.average / plain.tps)}, ` +
        `target 0.35); notified ${round(notifiedRate)} filings/s delivered (ratio ` +
        `${round(notifiedRate / plain.tps)}, target 0.25), ${delivered}/${full['2xx']} delivered, ` +
        `${receiver.duplicates()} duplicates; p99 ${round(halfLatency.p99)} ms at ${halfRate}/s ` +
        `(target 50); 201 → webhook p99 ${round(latency.p99)} ms at ${LATENCY_RATE}/s (target ` +
        `100); RSS max ${round(worstMax)} MB, slope ${round(worstSlope)} MB/min`,
    );
  } finally {
    await service.stop();
    await receiver.close();
    await db.drop();
  }
}

/** Files at 50/s for 10 s (open loop); each filing's time from its 201 to its webhook. */
async function notificationLatency(url, key, receiver) {
  const count = LATENCY_RATE * 10;
  const start = performance.now();
  const filed = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / LATENCY_RATE - performance.now();
    if (wait > 1) await sleep(wait);
    filed.push(
      fetch(`${url}/api/v1/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: incidentBody(),
      }).then(async (res) => {
        const answered = performance.now();
        return res.status === 201 ? { id: (await res.json()).id, answered } : null;
      }),
    );
  }
  const accepted = (await Promise.all(filed)).filter(Boolean);
  const deadline = Date.now() + 30_000;
  while (accepted.some((f) => !receiver.arrivals.has(f.id)) && Date.now() < deadline) {
    await sleep(50);
  }
  return accepted
    .filter((f) => receiver.arrivals.has(f.id))
    .map((f) => receiver.arrivals.get(f.id) - f.answered);
}

await main();
