// Report benchmark: a monthly report over 1,000,000 bulk-loaded incidents, against one
// hand-written aggregate query over the same month's rows, in the same run.
//
//   npm run build && node bench/report.bench.js
//
// Uses the built service (dist/, or BENCH_DIST) on a scratch database it creates, migrates
// and drops (BENCH_KEEP=1 keeps it, for EXPLAIN). BENCH_INCIDENTS (default 1,000,000) and BENCH_ROUNDS (default 5) scale it.
// Incidents spread evenly over 2025 with two observables and one dispatch each, loaded by
// INSERT ... SELECT generate_series (no API). Prints one JSON line per figure, then
// `ratio = report / query` (target: within 5x). Times are reported, never asserted.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { databaseUrl, dropDatabase, figure, ROOT, scratchName, summarize } from './lib/common.js';

const DIST = path.resolve(process.env.BENCH_DIST ?? path.join(ROOT, 'dist'));
const N = Number(process.env.BENCH_INCIDENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BENCH = 'report';
const MONTH = { from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z') };

const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));
const { dataSourceOptions } = await import(path.join(DIST, 'database/data-source.js'));
const { generateReportContent } = await import(path.join(DIST, 'reports/report-queries.js'));
const { renderMarkdown } = await import(path.join(DIST, 'reports/report-markdown.js'));
const { renderStix } = await import(path.join(DIST, 'reports/report-stix.js'));

// Incident i: state, category, severity, sector, TLP and status cycle with different
// strides; observables come from pools small enough that values recur across states.
const LOAD = [
  `INSERT INTO incidents (reference, title, description, category, severity, tlp, sector,
     reporting_state, status, created_at, updated_at, resolved_at, resolution_summary, lessons_learned)
   SELECT 'B-' || i,
          'Bench incident ' || i,
          'Synthetic incident number ' || i,
          (ARRAY['fraud/phishing','availability/ddos','malicious-code/infected-system',
                 'intrusions/system-compromise','information-gathering/scanner',
                 'intrusion-attempts/exploit','abusive-content/spam','vulnerable/vulnerable-system',
                 'information-content-security/data-leak','other/other'])[1 + (i * 7) % 10],
          (ARRAY['critical','high','medium','low'])[1 + (i * 3) % 4],
          (ARRAY['TLP:RED','TLP:AMBER+STRICT','TLP:AMBER','TLP:GREEN','TLP:CLEAR'])[1 + (i * 11) % 5],
          (ARRAY['energy','finance','government','defence','telecom','transport','health','water',
                 'education','other'])[1 + (i * 13) % 10],
          (ARRAY['AM','BY','KZ','KG','RU','TJ'])[1 + i % 6],
          s.status, c.at, c.at,
          CASE WHEN s.status IN ('resolved','closed') THEN c.at + (i % 500) * interval '10 minutes' END,
          CASE WHEN s.status IN ('resolved','closed') THEN 'Contained and cleaned up' END,
          CASE WHEN s.status IN ('resolved','closed') AND i % 3 = 0 THEN 'Patch faster; share indicators earlier' END
     FROM generate_series(1, $1::int) AS i
     CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01' + (i::float8 / $1) * interval '365 days' AS at) c
     CROSS JOIN LATERAL (SELECT (ARRAY['new','triaged','in_progress','resolved','resolved','closed',
                                       'closed','resolved','rejected','duplicate'])[1 + i % 10] AS status) s`,
  `INSERT INTO incident_observables (incident_id, position, type, value)
   SELECT id, 0, 'ipv4', '10.' || (h / 65536) || '.' || (h / 256 % 256) || '.' || (h % 256)
     FROM (SELECT id, (substr(reference, 3)::bigint * 7919) % 20000 AS h FROM incidents) x
   UNION ALL
   SELECT id, 1, 'domain', 'd' || ((substr(reference, 3)::bigint * 31) % 50000) || '.example'
     FROM incidents`,
  `INSERT INTO dispatches (incident_id, state, status, acknowledged_at, escalation_level, created_at)
   SELECT id,
          (ARRAY['AM','BY','KZ','KG','RU','TJ'])[1 + (n + 1) % 6],
          CASE WHEN n % 5 = 0 THEN 'notified' ELSE 'acknowledged' END,
          CASE WHEN n % 5 = 0 THEN NULL ELSE created_at + (n % 3600) * interval '1 second' END,
          CASE WHEN n % 5 = 0 THEN n % 4 ELSE 0 END,
          created_at
     FROM (SELECT id, created_at, substr(reference, 3)::int AS n FROM incidents) x`,
  `INSERT INTO timeline_events (incident_id, type, actor, at, data)
   SELECT id, 'transitioned', 'bench', updated_at + interval '1 hour', '{"from":"new","to":"rejected"}'
     FROM incidents WHERE status = 'rejected'`,
];

// Baselines, each one aggregate query written by hand. `query`: the month's incidents
// alone. `joined`: the same rows the report reads (those incidents with their dispatches
// and observables) in a single pass.
const BASELINES = {
  query: `
    SELECT reporting_state, category, severity, sector, tlp, count(*)
      FROM incidents
     WHERE created_at >= $1 AND created_at < $2
     GROUP BY reporting_state, category, severity, sector, tlp`,
  joined: `
    SELECT i.reporting_state, i.severity, count(*) AS rows,
           count(d.acknowledged_at) AS acknowledged, count(DISTINCT o.value) AS observables,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d.acknowledged_at - i.created_at) AS median_ack
      FROM incidents i
      LEFT JOIN dispatches d ON d.incident_id = i.id
      LEFT JOIN incident_observables o ON o.incident_id = i.id
     WHERE i.created_at >= $1 AND i.created_at < $2
     GROUP BY i.reporting_state, i.severity`,
};

const name = scratchName('report');
const url = databaseUrl(name);
let dataSource;
try {
  await prepareDatabase(url);
  dataSource = new DataSource({ ...dataSourceOptions(url, 4), logging: false });
  await dataSource.initialize();

  const loadStart = performance.now();
  for (const statement of LOAD) {
    const t = performance.now();
    await dataSource.query(statement, statement.includes('$1') ? [N] : []);
    figure(BENCH, 'load step', (performance.now() - t) / 1000, 's', {
      step: statement.trim().slice(12, 40),
    });
  }
  await dataSource.query(
    'VACUUM ANALYZE incidents, incident_observables, dispatches, timeline_events',
  );
  const [{ incidents, observables, dispatches, month }] = await dataSource.query(
    `SELECT (SELECT count(*) FROM incidents)::int AS incidents,
            (SELECT count(*) FROM incident_observables)::int AS observables,
            (SELECT count(*) FROM dispatches)::int AS dispatches,
            (SELECT count(*) FROM incidents WHERE created_at >= $1 AND created_at < $2)::int AS month`,
    [MONTH.from, MONTH.to],
  );
  figure(BENCH, 'load', (performance.now() - loadStart) / 1000, 's', {
    incidents,
    observables,
    dispatches,
  });
  figure(BENCH, 'incidents in the month', month, 'rows');

  const spec = {
    id: '00000000-0000-4000-8000-000000000001',
    kind: 'monthly',
    audience: 'community',
    ...MONTH,
  };
  // Exactly what the worker runs for a report (same transaction settings, same SQL).
  const generate = () => generateReportContent(dataSource, spec);
  // Baselines run with the report's session settings, so only the SQL differs.
  const baseline = (sql) =>
    dataSource.transaction(async (manager) => {
      await manager.query("SET LOCAL jit = 'off'");
      await manager.query("SET LOCAL work_mem = '64MB'");
      return manager.query(sql, [MONTH.from, MONTH.to]);
    });

  // Interleaved rounds after one warm-up each, so all see the same cache state.
  await generate();
  for (const sql of Object.values(BASELINES)) await baseline(sql);
  const reportMs = [];
  const queryMs = [];
  const joinedMs = [];
  let content;
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    content = await generate();
    reportMs.push(performance.now() - t);
    t = performance.now();
    await baseline(BASELINES.query);
    queryMs.push(performance.now() - t);
    t = performance.now();
    await baseline(BASELINES.joined);
    joinedMs.push(performance.now() - t);
  }
  const report = summarize(reportMs);
  const query = summarize(queryMs);
  const joined = summarize(joinedMs);
  const t = performance.now();
  const rendered = [
    JSON.stringify(content),
    renderMarkdown(content),
    JSON.stringify(renderStix(content)),
  ];
  const renderMs = performance.now() - t;

  figure(BENCH, 'report generation p50', report.p50, 'ms', { rounds: ROUNDS, max: report.max });
  figure(BENCH, 'hand-written query p50', query.p50, 'ms', { rounds: ROUNDS, max: query.max });
  figure(BENCH, 'hand-written joined query p50', joined.p50, 'ms', {
    rounds: ROUNDS,
    max: joined.max,
  });
  figure(BENCH, 'render json+markdown+stix', renderMs, 'ms', {
    bytes: rendered.map((r) => r.length),
  });
  figure(BENCH, 'ratio = report / query', report.p50 / query.p50, 'x', { target: 5 });
  figure(BENCH, 'ratio = report / joined query', report.p50 / joined.p50, 'x', { target: 5 });
  figure(BENCH, 'report totals', content.totals.opened, 'incidents', {
    resolved: content.totals.resolved,
    rejected: content.totals.rejected,
    transnational: content.transnationalObservables.total,
  });
  console.log(
    `\nmonthly report over ${incidents.toLocaleString('en')} incidents (${month.toLocaleString('en')} in the month): ` +
      `report ${report.p50.toFixed(0)} ms; incidents-only query ${query.p50.toFixed(0)} ms ` +
      `(ratio ${(report.p50 / query.p50).toFixed(2)}x); joined query over the same rows ` +
      `${joined.p50.toFixed(0)} ms (ratio ${(report.p50 / joined.p50).toFixed(2)}x); target <= 5x`,
  );
} finally {
  await dataSource?.destroy();
  if (process.env.BENCH_KEEP) console.log(`kept database ${name}`);
  else await dropDatabase(name);
}
