// Escalation lateness with many pending deadlines, against a baseline in the same run:
//  - a scratch database gets N dispatches (5 per incident); a sample of SAMPLE of them falls
//    due in a 30-second window starting LEAD seconds after the insert, the other N - SAMPLE
//    after the window, spread over the following ~5 minutes (pending in PostgreSQL, those of
//    the next minute also as delayed jobs in Redis, entering as the scheduler's horizon moves);
//  - the built service starts (role all, its own queue prefix) with the deadlines already
//    pending, as after a restart;
//  - lateness = time of the `escalated` timeline entry - the deadline, per sampled dispatch.
// Runs the baseline N = 1,000 (the sample alone), N = 100,000, and N = 100,000 with every
// Redis key of the queue deleted 2 s before the window; prints p50/p99/max as JSON lines,
// the ratios of the p99s to the baseline, and the scheduler's per-tick cost from /metrics.
// Usage: npm run build && node bench/escalation.bench.js
// (CCC_BENCH_DIST=.build/x points it at another build; BENCH_PENDING, BENCH_SAMPLE, BENCH_LEAD.)
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import {
  databaseUrl,
  dropDatabase,
  figure,
  freePort,
  REDIS_URL,
  ROOT,
  round,
  scratchName,
  summarize,
  SERVICE_NODE_FLAGS,
  deleteQueueKeys,
} from './lib/common.js';

const DIST = path.resolve(ROOT, process.env.CCC_BENCH_DIST ?? 'dist');
const PENDING = Number(process.env.BENCH_PENDING ?? 100_000);
const BASELINE = 1_000;
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 1_000);
const LEAD = Number(process.env.BENCH_LEAD ?? 30);
/** The flush run deletes the queue's Redis keys this long before the first sampled deadline. */
const FLUSH_BEFORE_MS = 2_000;
const WINDOW = 30;
const STATES = ['BY', 'KZ', 'KG', 'RU', 'TJ'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function seed(db, total) {
  const incidents = Math.ceil(total / STATES.length);
  await db.query(
    `INSERT INTO incidents (reference, title, category, severity, tlp, sector, reporting_state)
     SELECT 'BENCH-' || g, 'bench incident ' || g, 'fraud/phishing', 'high', 'TLP:AMBER',
            'finance', 'AM'
       FROM generate_series(1, $1) AS g`,
    [incidents],
  );
  // k <= SAMPLE: due inside the window; the rest after it, over about five minutes.
  await db.query(
    `INSERT INTO dispatches (incident_id, state, ack_deadline)
     SELECT i.id, ($3::text[])[(k - 1) % 5 + 1],
            CASE WHEN k <= $2
                 THEN now() + make_interval(secs => $4 + $5 * k::float8 / $2)
                 ELSE now() + make_interval(secs => $4 + $5 + 10 + 290 * (k - $2)::float8 / greatest($1 - $2, 1))
            END
       FROM generate_series(1, $1) AS k
       JOIN incidents i ON i.reference = 'BENCH-' || ((k - 1) / 5 + 1)`,
    [total, SAMPLE, STATES, LEAD, WINDOW],
  );
  await db.query(
    `CREATE TABLE bench_sample AS
     SELECT id AS dispatch_id, ack_deadline AS deadline FROM dispatches ORDER BY ack_deadline LIMIT $1`,
    [SAMPLE],
  );
  await db.query('ANALYZE');
}

function startService(env) {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(DIST, 'main.js')], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', REDIS_URL, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return {
    async ready(url) {
      for (let i = 0; i < 600; i++) {
        if (child.exitCode !== null) throw new Error('service exited during start-up');
        try {
          if ((await fetch(`${url}/health/ready`)).ok) return;
        } catch {
          /* not yet */
        }
        await sleep(100);
      }
      throw new Error('service not ready');
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The scheduler tick histogram and escalation counters from /metrics: the worker's (on
 * CCC_METRICS_PORT) when `all` runs as API and worker processes, else the one process's.
 */
async function scrape(url, workerUrl) {
  const fromWorker = await fetch(`${workerUrl}/metrics`).catch(() => null);
  const text = await (fromWorker?.ok ? fromWorker : await fetch(`${url}/metrics`)).text();
  const value = (re) => Number(re.exec(text)?.[1] ?? 0);
  const buckets = [
    ...text.matchAll(/ccc_escalation_scheduler_tick_seconds_bucket\{le="([^"]+)"\} (\d+)/g),
  ].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  return {
    ticks: value(/ccc_escalation_scheduler_tick_seconds_count (\d+)/),
    seconds: value(/ccc_escalation_scheduler_tick_seconds_sum ([\d.e+-]+)/),
    buckets,
    byJob: value(/ccc_escalations_total\{path="job"\} (\d+)/),
    bySweep: value(/ccc_escalations_total\{path="sweep"\} (\d+)/),
    scheduled: value(/ccc_escalation_jobs_scheduled_total (\d+)/),
  };
}

/** Upper bucket bound holding the p-th percentile of the ticks between two scrapes. */
function tickPercentile(before, after, p) {
  const total = after.ticks - before.ticks;
  const target = Math.ceil((p / 100) * total);
  for (let i = 0; i < after.buckets.length; i++) {
    if (after.buckets[i][1] - (before.buckets[i]?.[1] ?? 0) >= target) return after.buckets[i][0];
  }
  return Infinity;
}

async function run(total, { flush = false } = {}) {
  const name = scratchName('escalation');
  const url = databaseUrl(name);
  const prefix = `bench_esc_${name.slice(-6)}`;
  const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));
  await prepareDatabase(url);
  const db = new pg.Pool({ connectionString: url, max: 2 });
  const port = await freePort();
  const metricsPort = await freePort();
  let service;
  try {
    await seed(db, total);
    const { rows: bg } = await db.query(
      `SELECT coalesce(min(ack_deadline), now() + interval '1 day') AS at FROM dispatches
        WHERE id NOT IN (SELECT dispatch_id FROM bench_sample)`,
    );
    const backgroundFrom = bg[0].at;
    service = startService({
      DATABASE_URL: url,
      PORT: String(port),
      CCC_ROLE: 'all',
      CCC_METRICS_PORT: String(metricsPort),
      CCC_QUEUE_PREFIX: prefix,
      CCC_SLA_ACK_SECONDS: 'critical=3600,high=3600,medium=3600,low=3600',
      CCC_RATE_LIMIT_PER_MINUTE: '0',
    });
    const base = `http://127.0.0.1:${port}`;
    await service.ready(base);
    const { rows: first } = await db.query(
      'SELECT extract(epoch FROM min(deadline) - now()) * 1000 AS ms FROM bench_sample',
    );
    if (first[0].ms < 0)
      console.error(`warning: the service started ${-first[0].ms} ms after the first deadline`);
    if (flush) {
      // As if Redis lost everything: the delayed jobs and the scheduler's lease.
      await sleep(Math.max(0, first[0].ms - FLUSH_BEFORE_MS));
      await deleteQueueKeys(prefix);
      await sleep(FLUSH_BEFORE_MS - 500);
    } else {
      await sleep(Math.max(0, first[0].ms - 500));
    }
    const before = await scrape(base, `http://127.0.0.1:${metricsPort}`);
    for (let waited = 0; waited < (WINDOW + 60) * 1000; waited += 1000) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM bench_sample b JOIN dispatches d ON d.id = b.dispatch_id
          WHERE d.escalation_level >= 1`,
      );
      if (rows[0].n >= SAMPLE) break;
      await sleep(1000);
    }
    const after = await scrape(base, `http://127.0.0.1:${metricsPort}`);
    const { rows } = await db.query(
      `SELECT extract(epoch FROM t.at - b.deadline) * 1000 AS late
         FROM bench_sample b JOIN dispatches d ON d.id = b.dispatch_id
         JOIN timeline_events t ON t.incident_id = d.incident_id AND t.type = 'escalated'
          AND t.data->>'state' = d.state AND (t.data->>'level')::int = 1`,
    );
    // Nothing outside the sample is due yet: any escalation of those would be early.
    const { rows: early } = await db.query(
      `SELECT count(*)::int AS n FROM dispatches d
         JOIN timeline_events t ON t.incident_id = d.incident_id AND t.type = 'escalated'
          AND t.data->>'state' = d.state
        WHERE t.at < $1 AND d.id NOT IN (SELECT dispatch_id FROM bench_sample)`,
      [backgroundFrom],
    );
    return {
      lateness: summarize(rows.map((r) => Number(r.late))),
      missing: SAMPLE - rows.length,
      escalatedOutsideSample: early[0].n,
      ticks: after.ticks - before.ticks,
      tickMeanMs:
        ((after.seconds - before.seconds) / Math.max(1, after.ticks - before.ticks)) * 1000,
      tickP99Ms: tickPercentile(before, after, 99) * 1000,
      startupScheduled: before.scheduled,
      byJob: after.byJob,
      bySweep: after.bySweep,
    };
  } finally {
    await service?.stop();
    await db.end();
    await deleteQueueKeys(prefix);
    await dropDatabase(name);
  }
}

function report(label, total, r) {
  const extra = { pending: total, sample: SAMPLE };
  figure('escalation', `${label}_lateness_p50`, r.lateness.p50, 'ms', extra);
  figure('escalation', `${label}_lateness_p99`, r.lateness.p99, 'ms', extra);
  figure('escalation', `${label}_lateness_max`, r.lateness.max, 'ms', extra);
  figure('escalation', `${label}_tick_mean`, r.tickMeanMs, 'ms', { ...extra, ticks: r.ticks });
  figure('escalation', `${label}_tick_p99_bucket`, r.tickP99Ms, 'ms', extra);
  figure('escalation', `${label}_jobs_scheduled_before_window`, r.startupScheduled, 'jobs', extra);
  figure('escalation', `${label}_escalated_by_job`, r.byJob, 'escalations', extra);
  figure('escalation', `${label}_escalated_by_sweep`, r.bySweep, 'escalations', extra);
  if (r.missing > 0) console.error(`${label}: ${r.missing} sampled dispatches never escalated`);
  if (r.escalatedOutsideSample > 0) {
    console.error(
      `${label}: ${r.escalatedOutsideSample} dispatches escalated before their deadline`,
    );
  }
}

const baseline = await run(BASELINE);
report('baseline', BASELINE, baseline);
const loaded = await run(PENDING);
report('loaded', PENDING, loaded);
figure(
  'escalation',
  'p99_ratio_loaded_vs_baseline',
  loaded.lateness.p99 / baseline.lateness.p99,
  'x',
);
// The same load, but the queue's Redis keys vanish just before the window: the sample
// fires while the scheduler re-creates the lost jobs (nearest first) and the reconciler
// sweeps whatever is overdue.
const flushed = await run(PENDING, { flush: true });
report('loaded_after_flush', PENDING, flushed);
figure(
  'escalation',
  'p99_ratio_flush_vs_baseline',
  flushed.lateness.p99 / baseline.lateness.p99,
  'x',
);
const line = (r) => `${round(r.lateness.p50)}/${round(r.lateness.p99)}/${round(r.lateness.max)} ms`;
console.error(
  `escalation lateness p50/p99/max: ${BASELINE} pending ${line(baseline)}; ${PENDING} pending ${line(
    loaded,
  )}; ${PENDING} pending, Redis keys deleted ${FLUSH_BEFORE_MS} ms before the window ${line(flushed)}`,
);
