// Coordinators' queue benchmark: GET /api/v1/incidents page latency at 1,000,000 incidents.
//
//   npm run build && node bench/queue.bench.js
//
// Bulk-loads incidents (with dispatches and observables) into a scratch database with
// INSERT ... SELECT generate_series (secondary indexes dropped during the load and rebuilt
// from the migrations' own definitions), starts the built service (dist/, or BENCH_DIST)
// against it, and times pages for the common filters as a coordinator and as an analyst.
// A priority page after the first also carries the walk's snapshot (pagination.ts).
// Prints one JSON line per figure and the ratio of each p50 to baselines measured in the
// same run (GET /health/live and a primary-key GET of one incident). Times are never asserted.
// Exits 1 if a plan for a measured query falls back to a sequential scan of incidents.
//
// BENCH_INCIDENTS (default 1000000), BENCH_SAMPLES (200 per query), BENCH_KEEP=1 keeps the
// database for EXPLAIN sessions (drop it yourself), BENCH_EXPLAIN=1 prints the plans.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  createApiKey,
  databaseUrl,
  dropDatabase,
  figure,
  freePort,
  REDIS_URL,
  ROOT,
  scratchName,
  summarize,
  SERVICE_NODE_FLAGS,
} from './lib/common.js';
import { loadIncidents } from './lib/incidents.js';

const BENCH = 'queue';
const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist');
const N = Number(process.env.BENCH_INCIDENTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const WARMUP = 20;
const ADMIN_KEY = `bench-admin-${Date.now()}-0123456789abcdef`;
/** One word in ~1,000 incidents and one in ~1 in 5, for full-text search. */
const RARE_WORD = 'w417';
const COMMON_WORD = 'ransomware';

const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));

async function load(url) {
  await loadIncidents(url, N, BENCH);
}

async function startService(url) {
  const port = String(await freePort());
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(DIST, 'main.js')], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      REDIS_URL,
      PORT: port,
      CCC_ROLE: 'api',
      CCC_QUEUE_PREFIX: `bench_queue_${port}`,
      CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      CCC_RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('service exited during start-up');
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('service not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { base, stop };
}

async function call(base, key, url) {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function time(base, key, url) {
  for (let i = 0; i < WARMUP; i++) await call(base, key, url);
  const samples = [];
  let items = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const body = await call(base, key, url);
    samples.push(performance.now() - t);
    items = body.items?.length ?? 0;
  }
  return { ...summarize(samples), items };
}

/** EXPLAIN ANALYZE of `sqlText`: execution time, indexes used, sequential scans of incidents. */
async function explain(db, sqlText, params) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sqlText}`, params);
  const root = rows[0]['QUERY PLAN'][0];
  if (process.env.BENCH_EXPLAIN) console.error(sqlText, '\n', JSON.stringify(root.Plan, null, 1));
  const nodes = [];
  const walk = (node) => {
    nodes.push(node);
    (node.Plans ?? []).forEach(walk);
  };
  walk(root.Plan);
  return {
    ms: root['Execution Time'],
    seqScan: nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'incidents'),
    indexes: [...new Set(nodes.map((n) => n['Index Name']).filter(Boolean))],
  };
}

const name = scratchName('queue');
const url = databaseUrl(name);
let service;
let exitCode = 0;
try {
  await prepareDatabase(url);
  await load(url);
  service = await startService(url);
  const coordinator = await createApiKey(service.base, ADMIN_KEY, 'coordinator');
  const analyst = await createApiKey(service.base, ADMIN_KEY, 'analyst', 'KZ');

  const first = await call(service.base, coordinator, '/api/v1/incidents?limit=1');
  const cursorOf = async (key, query) => (await call(service.base, key, query)).nextCursor;
  const baseline = {
    live: await time(service.base, coordinator, '/health/live'),
    byId: await time(service.base, coordinator, `/api/v1/incidents/${first.items[0].id}`),
  };
  for (const [label, s] of Object.entries(baseline)) {
    figure(BENCH, `baseline_${label}_p50`, s.p50, 'ms', { n: s.n });
    figure(BENCH, `baseline_${label}_p99`, s.p99, 'ms', { n: s.n });
  }

  const QUERIES = {
    none: '',
    status_new: 'status=new',
    queue_new_by_priority: 'status=new&sort=priority',
    priority: 'sort=priority',
    severity_critical_by_priority: 'severity=critical&sort=priority',
    severity_low_by_priority: 'severity=low&sort=priority',
    queue_new_low_by_priority: 'status=new&severity=low&sort=priority',
    severity_high: 'severity=high',
    reporting_state: 'reportingState=BY',
    dispatched_to: 'dispatchedTo=KG',
    assignee: 'assignee=officer-7',
    tlp_red: 'tlp=TLP:RED',
    // The triage filters together (~1 in 5,000 incidents): one range of
    // incidents_status_severity_tlp_created_idx in either order, not a filter over a status.
    status_severity_tlp: 'status=new&severity=critical&tlp=TLP:RED',
    status_severity_tlp_by_priority: 'status=new&severity=critical&tlp=TLP:RED&sort=priority',
    q_rare: `q=${RARE_WORD}`,
    q_common: `q=${COMMON_WORD}`,
    // v2 filters and orders (issue 12).
    status_open_multi: 'status=new,triaged,in_progress',
    severity_multi_by_priority: 'severity=critical,high&sort=priority',
    awaiting_ack: 'awaitingAck=true',
    awaiting_ack_by_deadline: 'awaitingAck=true&sort=deadlineAt',
    open_by_deadline: 'status=new,triaged,in_progress&sort=deadlineAt',
    overdue: 'overdue=true',
    updated_first: 'sort=-updatedAt',
    updated_since: `sort=-updatedAt&updatedSince=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`,
  };
  const results = [];
  for (const [role, key] of [
    ['coordinator', coordinator],
    ['analyst', analyst],
  ]) {
    const queries = { ...QUERIES };
    for (const [label, query] of Object.entries({ none: '', priority: 'sort=priority' })) {
      const cursor = await cursorOf(key, `/api/v1/incidents?${query}`);
      queries[`${label}_page2`] = `${query}${query ? '&' : ''}cursor=${cursor}`;
    }
    for (const [label, query] of Object.entries(queries)) {
      const s = await time(service.base, key, `/api/v1/incidents?${query}`);
      const extra = { role, query, n: s.n, items: s.items };
      figure(BENCH, `${role}_${label}_p50`, s.p50, 'ms', extra);
      figure(BENCH, `${role}_${label}_p99`, s.p99, 'ms', extra);
      figure(BENCH, `${role}_${label}_p50_vs_get_by_id`, s.p50 / baseline.byId.p50, 'x', extra);
      figure(BENCH, `${role}_${label}_p50_vs_live`, s.p50 / baseline.live.p50, 'x', extra);
      results.push({ role, label, ...s });
    }
  }

  // Plans: the same shapes the repository writes, checked for sequential scans of incidents.
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const seqScans = [];
  const prio = `(CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)`;
  const shapes = {
    status_new_by_priority: [`i.status = $1`, ['new'], `${prio}, i.created_at, i.id`],
    // As the repository writes it: the severity filter also names its priority rank.
    severity_by_priority: [
      `i.severity = $1 AND ${prio} = 3`,
      ['low'],
      `${prio}, i.created_at, i.id`,
    ],
    status_severity_by_priority: [
      `i.status = $1 AND i.severity = $2 AND ${prio} = 3`,
      ['new', 'low'],
      `${prio}, i.created_at, i.id`,
    ],
    status_severity_tlp: [
      `i.status = $1 AND i.severity = $2 AND i.tlp = $3`,
      ['new', 'critical', 'TLP:RED'],
      `i.created_at DESC, i.id DESC`,
    ],
    reporting_state: [`i.reporting_state = $1`, ['BY'], `i.created_at DESC, i.id DESC`],
    assignee: [`i.assignee = $1`, ['officer-7'], `i.created_at DESC, i.id DESC`],
    dispatched_to: [
      `EXISTS (SELECT 1 FROM dispatches d WHERE d.incident_id = i.id AND d.state = $1)`,
      ['KG'],
      `i.created_at DESC, i.id DESC`,
    ],
    analyst_default: [
      `(i.reporting_state = $1 OR i.tlp = ANY($2::text[]) OR EXISTS (SELECT 1 FROM dispatches d
         WHERE d.incident_id = i.id AND d.state = $1))`,
      ['KZ', ['TLP:GREEN', 'TLP:CLEAR']],
      `i.created_at DESC, i.id DESC`,
    ],
    q: [
      `to_tsvector('simple', i.title || ' ' || coalesce(i.description, '')) @@ plainto_tsquery('simple', $1)`,
      [RARE_WORD],
      `i.created_at DESC, i.id DESC`,
    ],
  };
  for (const [label, [where, params, order]] of Object.entries(shapes)) {
    const text = `SELECT i.* FROM incidents i WHERE ${where} ORDER BY ${order} LIMIT 51`;
    const plan = await explain(db, text, params);
    figure(BENCH, `plan_${label}_ms`, plan.ms, 'ms', { indexes: plan.indexes });
    if (plan.seqScan) seqScans.push(label);
  }
  await db.end();
  figure(BENCH, 'plans_with_seq_scan', seqScans.length, 'count', { seqScans });
  if (seqScans.length > 0) exitCode = 1;

  console.log(`\nqueue page latency at ${N.toLocaleString('en')} incidents (ms, p50 / p99):`);
  console.log(
    `  baselines: /health/live ${baseline.live.p50.toFixed(1)} / ${baseline.live.p99.toFixed(1)}, ` +
      `GET by id ${baseline.byId.p50.toFixed(1)} / ${baseline.byId.p99.toFixed(1)}`,
  );
  for (const r of results) {
    console.log(
      `  ${r.role.padEnd(11)} ${r.label.padEnd(30)} ${r.p50.toFixed(1).padStart(7)} / ${r.p99
        .toFixed(1)
        .padStart(7)}  (${(r.p50 / baseline.byId.p50).toFixed(1)}x GET by id, ${r.items} items)`,
    );
  }
} catch (err) {
  console.error('queue bench failed:', err);
  exitCode = 1;
} finally {
  await service?.stop();
  if (process.env.BENCH_KEEP) console.error(`kept database ${name}`);
  else await dropDatabase(name);
}
process.exitCode = exitCode;
