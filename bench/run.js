// Runs every benchmark in bench/ one after another against the built service (dist/, or
// BENCH_DIST=.build/x), passes their output through (one JSON line per figure), and ends
// with a summary table: one line per benchmark with its headline figures.
//
//   npm run bench                          (builds first, then runs this)
//   BENCH_ONLY=intake,notify node bench/run.js
//
// Knobs: each benchmark reads its own BENCH_* variables (see the top of its file). Several
// share a name (BENCH_SECONDS: intake and notify; BENCH_INCIDENTS: queue, report, navigation
// and taxii; BENCH_ROUNDS: routing and report), so BENCH_<NAME>_<KNOB> sets BENCH_<KNOB> for
// that benchmark alone: BENCH_INTAKE_SECONDS=10 BENCH_QUEUE_INCIDENTS=100000.
//
// Slowness never fails the run. The exit status is 1 only when a benchmark crashed (or a
// correctness check of the routing benchmark failed), 2 for an unknown BENCH_ONLY name.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORDER = [
  'routing',
  'intake',
  'pipeline',
  'notify',
  'queue',
  'escalation',
  'report',
  'attachments',
  'console',
  'navigation',
  'streams',
  'imports',
  'taxii',
];

/** The figures the summary shows for each benchmark, in order (missing ones are skipped). */
const HEADLINES = {
  routing: [
    'route_500_observables_p50',
    'route_500_observables_p99',
    'speedup_vs_naive_js_p50',
    'correctness_mismatches',
  ],
  intake: [
    'max_rps',
    'pgbench_ceiling_tps',
    'ratio',
    'max_p99',
    'max_non2xx',
    'half_rate',
    'half_p99',
    'rss_end_mb',
    'rss_slope_mb_per_min',
  ],
  pipeline: [
    'plain_ceiling_tps',
    'intake_rps',
    'intake_ratio',
    'notified_rps',
    'notified_ratio',
    'half_p99',
    'notify_latency_p99',
    'duplicate_webhooks',
    'rss_worst_max_mb',
    'rss_worst_slope_mb_per_min',
  ],
  navigation: ['navigation_p50', 'navigation_p99', 'filter_change_p50', 'filter_change_p99'],
  imports: [
    'misp_seconds',
    'misp_ratio',
    'stix_seconds',
    'stix_ratio',
    'rss_max_mb',
    'big_seconds',
    'big_live_p99_ms',
    'big_rss_max_mb',
  ],
  taxii: [
    'page_p50',
    'page_p99',
    'walk_objects_per_s',
    'page_p50_vs_sql',
    'service_cpu_per_page',
    'load_average',
    'check_failures',
  ],
  streams: [
    'latency_p50',
    'latency_p99',
    'baseline_1_stream_p99',
    'events_lost',
    'events_on_streams_that_may_not_see',
    'rss_max_mb',
  ],
  notify: [
    'latency_201_to_webhook_p50',
    'latency_201_to_webhook_p99',
    'webhooks_delivered',
    'bad_signatures',
  ],
  queue: [
    'coordinator_queue_new_by_priority_p50',
    'coordinator_queue_new_by_priority_p99',
    'analyst_none_p99',
    'coordinator_q_common_p99',
    'plans_with_seq_scan',
  ],
  escalation: [
    'baseline_lateness_p99',
    'loaded_lateness_p99',
    'loaded_after_flush_lateness_p99',
    'loaded_tick_mean',
  ],
  report: ['report generation p50', 'hand-written query p50', 'ratio = report / query'],
  attachments: [
    'upload_mb_per_s',
    'upload_ratio',
    'download_mb_per_s',
    'download_ratio',
    'rss_peak_4_concurrent_uploads_mb',
  ],
  console: [
    'initial_js_gzip_kb',
    'initial_js_ratio_vs_react_only',
    'vite_build_p50',
    'build_ratio_vite_vs_tsc',
  ],
};

/**
 * Figures that are checks rather than timings: a benchmark that exits non-zero after
 * printing one of these above zero failed the check; `fatal` checks fail the run.
 */
const CHECKS = {
  routing: { figure: 'correctness_mismatches', fatal: true },
  // A sequential scan is a performance regression, reported but not failing the run.
  queue: { figure: 'plans_with_seq_scan', fatal: false },
  // The bulk STIX fill differing from the trigger (the figures would measure other data), or
  // a walk that missed or repeated objects.
  taxii: { figure: 'check_failures', fatal: true },
};

function discover() {
  const found = readdirSync(HERE)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.slice(0, -'.bench.js'.length));
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The environment of one benchmark: BENCH_<NAME>_<KNOB> becomes BENCH_<KNOB>. */
function envFor(name) {
  const env = { ...process.env };
  // The escalation benchmark names its build variable differently.
  if (env.BENCH_DIST && !env.CCC_BENCH_DIST) env.CCC_BENCH_DIST = env.BENCH_DIST;
  const prefix = `BENCH_${name.toUpperCase()}_`;
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith(prefix)) env[`BENCH_${key.slice(prefix.length)}`] = value;
  }
  return env;
}

function run(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const figures = [];
    const child = spawn(process.execPath, [path.join(HERE, `${name}.bench.js`)], {
      env: envFor(name),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line);
        if (parsed.bench && parsed.figure !== undefined) figures.push(parsed);
      } catch {
        // not a figure
      }
    });
    child.on('error', (err) => {
      console.error(`${name}: could not start: ${err.message}`);
    });
    child.on('close', (code, signal) =>
      resolve({ name, code, signal, figures, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** ok, check failed (fatal or not), or crashed. */
function verdict(result) {
  if (result.code === 0) return { status: 'ok', fatal: false };
  const check = CHECKS[result.name];
  const value = check && result.figures.find((f) => f.figure === check.figure)?.value;
  if (result.code !== null && typeof value === 'number' && value > 0) {
    return { status: `check failed: ${check.figure} = ${value}`, fatal: check.fatal };
  }
  const how = result.signal ? `signal ${result.signal}` : `exit ${result.code}`;
  return { status: `crashed (${how})`, fatal: true };
}

function headline(result) {
  const names = HEADLINES[result.name] ?? result.figures.slice(0, 4).map((f) => f.figure);
  return names
    .map((name) => result.figures.find((f) => f.figure === name))
    .filter(Boolean)
    .map((f) => `${f.figure} ${f.value}${f.unit && f.unit !== 'count' ? ` ${f.unit}` : ''}`)
    .join(', ');
}

const available = discover();
const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s) in BENCH_ONLY: ${unknown.join(', ')}`);
  console.error(`available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = only.length > 0 ? available.filter((n) => only.includes(n)) : available;

const results = [];
for (const name of selected) {
  console.error(`\n=== ${name} ===`);
  results.push(await run(name));
}

const rows = results.map((r) => ({ ...r, ...verdict(r) }));
const width = Math.max(...rows.map((r) => r.name.length));
console.log('\nbenchmark summary');
for (const r of rows) {
  const time = `${Math.round(r.seconds)} s`.padStart(6);
  const figures = headline(r);
  console.log(`  ${r.name.padEnd(width)}  ${time}  ${r.status}${figures ? ` | ${figures}` : ''}`);
}
process.exitCode = rows.some((r) => r.fatal) ? 1 : 0;
