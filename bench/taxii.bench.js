// TAXII 2.1 get objects over the `community` collection at 1,000,000 incidents, as a
// member-state tool pulls it: an analyst's API key (HTTP Basic, any user name, the key as
// password, as taxii2-client sends it) walks the whole collection with `limit=1000` and
// `next` until `more` is false.
//  - per page of 1,000 objects: p50 / p99 latency (goal p99 < 200 ms);
//  - the walk: objects per second, and a check that it gave every object once, in
//    `date_added` order (the page's X-TAXII-Date-Added-First after the last page's Last),
//    as many as the collection holds;
//  - baselines in the same run: for every page, the rows it is made of (stix_objects joined
//    to their incidents and observables, the same keyset and collection filter) read with
//    one plain SQL query through pg; and GET /health/live;
//  - CPU per page of the service and of PostgreSQL, and the load average: on a shared
//    machine the latencies also measure the neighbours, CPU time much less so.
// Loads the incidents as the queue benchmark does (bench/lib/incidents.js), then fills
// stix_objects for them in one set-based statement (the load turns the per-incident STIX
// trigger off). Before that, a check: 1,000 incidents loaded once with the trigger and
// once with the bulk fill must give the same rows (figure stix_fill_mismatches). Exits 1
// when that check or the walk's fails (figure check_failures); times are never asserted.
// Also prints the EXPLAIN ANALYZE figures of the service's page query at mid-walk.
//
//   npm run build && node bench/taxii.bench.js
//
// Knobs: BENCH_INCIDENTS (1000000), BENCH_LIMIT (1000 objects per page), BENCH_CHECK_INCIDENTS
// (1000), BENCH_EXPLAIN=1 prints the plan, BENCH_KEEP=1 keeps the database (drop it yourself),
// BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, see lib/common.js).
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  backendsOf,
  createApiKey,
  cpuMs,
  figure,
  migratedDatabase,
  processTree,
  round,
  startService,
  summarize,
} from './lib/common.js';
import { loadIncidents } from './lib/incidents.js';

const BENCH = 'taxii';
const N = Number(process.env.BENCH_INCIDENTS ?? 1_000_000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 1000);
const CHECK_N = Number(process.env.BENCH_CHECK_INCIDENTS ?? 1000);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const COMMUNITY = '278127b3-7a31-4c2f-85e5-7003e7c7fe41';
const COMMUNITY_TLPS = ['TLP:GREEN', 'TLP:CLEAR'];
const TAXII = 'application/taxii+json;version=2.1';
const LIVE_SAMPLES = 200;
/** The objects of incidents (stix_objects kinds); the rest are the collection's static objects. */
const INCIDENT_KINDS = new Set(['incident', 'indicator', 'vulnerability', 'relationship']);

/**
 * The bulk fill against the trigger: the same rows but for the indicators' and
 * relationships' ids, which both draw at random (their kind prefix and UUIDv4 form are
 * compared), versions and MISP timestamps, which come from the incidents' `updated_at` (set
 * at load time: compared as equal to it), and `date_added`, whose values depend on the clock
 * (its order is compared: every row at the same rank of the `date_added` order, the clock
 * left at the last one).
 */
async function checkStixFill() {
  const shape = `SELECT s.incident_id, s.kind, s.position,
      CASE WHEN s.kind = 'incident' THEN s.object_id
           ELSE split_part(s.object_id, '--', 1) || '--' ||
                (split_part(s.object_id, '--', 2) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')::text
      END AS id,
      s.version = i.updated_at AS version,
      s.event_timestamp IS NOT DISTINCT FROM
        (CASE WHEN s.kind = 'incident' THEN floor(extract(epoch FROM i.updated_at))::bigint END)
        AS event_timestamp,
      row_number() OVER (ORDER BY s.date_added) AS rank,
      s.date_added = max(s.date_added) OVER () AND s.date_added = (SELECT last FROM stix_clock)
        AS clock
    FROM stix_objects s JOIN incidents i ON i.id = s.incident_id ORDER BY s.date_added`;
  const rows = {};
  for (const mode of ['trigger', 'bulk']) {
    const db = await migratedDatabase(`taxii_check_${mode}`);
    try {
      await loadIncidents(db.url, CHECK_N, `${BENCH}_check_${mode}`, { stix: mode });
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      rows[mode] = (await client.query(shape)).rows.map((r) => JSON.stringify(r));
      const { rows: dup } = await client.query(
        `SELECT count(*) - count(DISTINCT object_id) AS d FROM stix_objects`,
      );
      if (Number(dup[0].d) !== 0) rows[mode].push('duplicate object ids');
      await client.end();
    } finally {
      await db.drop();
    }
  }
  let mismatches = Math.abs(rows.trigger.length - rows.bulk.length);
  for (let i = 0; i < Math.min(rows.trigger.length, rows.bulk.length); i++) {
    if (rows.trigger[i] !== rows.bulk[i]) {
      if (mismatches === 0) console.error('first mismatch:', rows.trigger[i], rows.bulk[i]);
      mismatches += 1;
    }
  }
  figure(BENCH, 'stix_fill_mismatches', mismatches, 'count', {
    incidents: CHECK_N,
    rows: rows.trigger.length,
  });
  return mismatches;
}

/** One page of get objects: its objects, `next`, its date-added headers and time (ms). */
async function page(url, auth, next) {
  const query = `limit=${LIMIT}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
  const t = performance.now();
  const res = await fetch(`${url}/taxii2/ccc/collections/${COMMUNITY}/objects/?${query}`, {
    headers: { authorization: auth, accept: TAXII },
  });
  const body = await res.json();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`get objects: ${res.status} ${JSON.stringify(body)}`);
  return {
    ms,
    objects: body.objects?.length ?? 0,
    incidentObjects: (body.objects ?? []).filter((o) => INCIDENT_KINDS.has(o.type)).length,
    more: body.more === true,
    next: body.next,
    first: res.headers.get('x-taxii-date-added-first'),
    last: res.headers.get('x-taxii-date-added-last'),
  };
}

/** The rows of the page after `after` (a date_added), read directly: the baseline. */
const BASELINE_SQL = `
  SELECT s.*, i.*, o.type, o.value
  FROM stix_objects s
  JOIN incidents i ON i.id = s.incident_id
  LEFT JOIN incident_observables o ON o.incident_id = s.incident_id AND o.position = s.position
  WHERE i.tlp = ANY($1::text[]) AND s.date_added > $2::timestamptz
  ORDER BY s.date_added LIMIT $3`;

/** EXPLAIN ANALYZE of the service's page query (TaxiiService.rows, an analyst on community). */
async function explainPage(db, after) {
  const micros = (column) =>
    `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const text = `SELECT s.incident_id, s.kind, s.object_id, ${micros('s.version')} AS version,
      s.event_timestamp, o.type, o.value, s._k0
    FROM (SELECT s.*, ${micros('s.date_added')} AS _k0
          FROM stix_objects s JOIN incidents i ON i.id = s.incident_id
          WHERE i.tlp = ANY($1::text[])
            AND (i.reporting_state = $2 OR i.tlp = ANY($1::text[])
                 OR EXISTS (SELECT 1 FROM dispatches vis_d
                            WHERE vis_d.incident_id = i.id AND vis_d.state = $2))
            AND s.date_added > $3::timestamptz
          ORDER BY s.date_added LIMIT $4) s
    LEFT JOIN incident_observables o ON o.incident_id = s.incident_id AND o.position = s.position
    ORDER BY s.date_added`;
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, [
    COMMUNITY_TLPS,
    'KZ',
    after,
    LIMIT + 1,
  ]);
  const root = rows[0]['QUERY PLAN'][0];
  if (process.env.BENCH_EXPLAIN) console.error(JSON.stringify(root.Plan, null, 1));
  const nodes = [];
  const walk = (node) => {
    nodes.push(node);
    (node.Plans ?? []).forEach(walk);
  };
  walk(root.Plan);
  return {
    ms: root['Execution Time'],
    seqScans: nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']),
    indexes: [...new Set(nodes.map((n) => n['Index Name']).filter(Boolean))],
  };
}

async function main() {
  const mismatches = await checkStixFill();

  const db = await migratedDatabase('taxii');
  let service;
  const client = new pg.Client({ connectionString: db.url });
  try {
    const loadStarted = performance.now();
    await loadIncidents(db.url, N, BENCH, { stix: 'bulk' });
    figure(BENCH, 'load_total_seconds', (performance.now() - loadStarted) / 1000, 's', {
      incidents: N,
    });
    await client.connect();
    const { rows: held } = await client.query(
      `SELECT count(*)::int AS n FROM stix_objects s JOIN incidents i ON i.id = s.incident_id
       WHERE i.tlp = ANY($1::text[])`,
      [COMMUNITY_TLPS],
    );

    service = await startService({
      DATABASE_URL: db.url,
      CCC_ROLE: 'api',
      CCC_QUEUE_PREFIX: db.name,
      CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      CCC_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
    });
    const key = await createApiKey(service.url, ADMIN_KEY, 'analyst', 'KZ');
    const auth = `Basic ${Buffer.from(`taxii-client:${key}`).toString('base64')}`;

    const live = [];
    for (let i = 0; i < LIVE_SAMPLES + 20; i++) {
      const t = performance.now();
      await (await fetch(`${service.url}/health/live`)).text();
      if (i >= 20) live.push(performance.now() - t);
    }
    // Warm-up: the first pages, not counted.
    let warm;
    for (let i = 0; i < 5 && warm?.more !== false; i++) {
      warm = await page(service.url, auth, warm?.next);
    }

    const load = [loadavg()[0]];
    const serviceCpu = cpuMs(processTree(service.pid));
    const databaseCpu = cpuMs(backendsOf(db.name));
    const times = [];
    const baseline = [];
    let objects = 0;
    let incidentObjects = 0;
    let pages = 0;
    let outOfOrder = 0;
    let previousLast = null;
    let next;
    let midCursor = null;
    for (;;) {
      const p = await page(service.url, auth, next);
      times.push(p.ms);
      objects += p.objects;
      incidentObjects += p.incidentObjects;
      pages += 1;
      if (previousLast !== null && !(p.first > previousLast)) outOfOrder += 1;
      // The same page read directly, after the same position.
      const t = performance.now();
      await client.query(BASELINE_SQL, [COMMUNITY_TLPS, previousLast ?? '1970-01-01Z', LIMIT]);
      baseline.push(performance.now() - t);
      if (midCursor === null && objects >= held[0].n / 2) midCursor = p.last;
      previousLast = p.last;
      if (!p.more) break;
      next = p.next;
    }
    // CPU of the walk (the baseline queries' share of the backends' included): time on a
    // core whatever else runs on the machine, where latencies also measure the neighbours.
    const serviceCpuPerPage = (cpuMs(processTree(service.pid)) - serviceCpu) / pages;
    const databaseCpuPerPage = (cpuMs(backendsOf(db.name)) - databaseCpu) / pages;
    load.push(loadavg()[0]);
    const walkMs = times.reduce((a, b) => a + b, 0);
    const s = summarize(times);
    const b = summarize(baseline);
    const l = summarize(live);
    const plan = await explainPage(client, midCursor ?? previousLast);
    const extra = { incidents: N, limit: LIMIT, pages };
    figure(BENCH, 'page_p50', s.p50, 'ms', extra);
    figure(BENCH, 'page_p99', s.p99, 'ms', extra);
    figure(BENCH, 'page_max', s.max, 'ms', extra);
    figure(BENCH, 'service_cpu_per_page', serviceCpuPerPage, 'ms', extra);
    figure(BENCH, 'database_cpu_per_page', databaseCpuPerPage, 'ms', {
      ...extra,
      note: 'includes the baseline query',
    });
    figure(BENCH, 'load_average', load[1], '', { atStart: load[0], cores: availableParallelism() });
    figure(BENCH, 'walk_objects_per_s', objects / (walkMs / 1000), 'objects/s', extra);
    figure(BENCH, 'walk_seconds', walkMs / 1000, 's', extra);
    figure(BENCH, 'walk_objects', objects, 'count', {
      ofIncidents: incidentObjects,
      expected: held[0].n,
    });
    figure(BENCH, 'walk_pages_out_of_order', outOfOrder, 'count');
    figure(BENCH, 'baseline_sql_page_p50', b.p50, 'ms', extra);
    figure(BENCH, 'baseline_sql_page_p99', b.p99, 'ms', extra);
    figure(BENCH, 'page_p50_vs_sql', s.p50 / b.p50, 'x', extra);
    figure(BENCH, 'baseline_live_p50', l.p50, 'ms', { n: l.n });
    figure(BENCH, 'page_p50_vs_live', s.p50 / l.p50, 'x', extra);
    figure(BENCH, 'plan_page_ms', plan.ms, 'ms', {
      indexes: plan.indexes,
      seqScans: plan.seqScans,
    });
    // Besides the incidents' objects, the walk gets the collection's static objects.
    const walkOk = outOfOrder === 0 && incidentObjects === held[0].n;
    console.log(
      `\nTAXII get objects, community collection over ${N.toLocaleString('en')} incidents ` +
        `(${held[0].n.toLocaleString('en')} objects), pages of ${LIMIT}:\n` +
        `  page p50 ${round(s.p50)} ms, p99 ${round(s.p99)} ms (goal p99 < 200 ms), max ${round(s.max)} ms; ` +
        `CPU per page: service ${round(serviceCpuPerPage)} ms, PostgreSQL ${round(databaseCpuPerPage)} ms; ` +
        `load average ${round(load[0])} → ${round(load[1])} on ${availableParallelism()} cores\n` +
        `  walk ${pages} pages, ${objects.toLocaleString('en')} objects in ${round(walkMs / 1000)} s: ` +
        `${Math.round(objects / (walkMs / 1000)).toLocaleString('en')} objects/s` +
        `${walkOk ? ', each once in date_added order' : ' — WALK CHECK FAILED'}\n` +
        `  baselines: the page's rows by SQL p50 ${round(b.p50)} ms, p99 ${round(b.p99)} ms ` +
        `(page ${round(s.p50 / b.p50)}x); /health/live p50 ${round(l.p50)} ms\n` +
        `  page query at mid-walk: ${round(plan.ms)} ms (EXPLAIN ANALYZE), indexes ` +
        `${plan.indexes.join(', ')}${plan.seqScans.length ? `, SEQ SCANS ${plan.seqScans}` : ''}`,
    );
    const failures = (mismatches > 0 ? 1 : 0) + (walkOk ? 0 : 1);
    figure(BENCH, 'check_failures', failures, 'count', { mismatches, walkOk });
    if (failures > 0) process.exitCode = 1;
  } finally {
    await client.end().catch(() => undefined);
    await service?.stop();
    if (process.env.BENCH_KEEP) console.error(`kept database ${db.name}`);
    else await db.drop();
  }
}

await main();
