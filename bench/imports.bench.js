// Imports of large inputs, as member-state tools push them, against the database's own bulk
// path in the same run:
//  - one MISP event with 20,000 attributes (POST /api/v1/imports/misp);
//  - one STIX bundle of 10,000 objects: a report referring to 9,999 indicators
//    (POST /api/v1/imports/stix).
// Each import is timed from the POST to `complete` (GET /api/v1/imports/:id); the baseline is
// one COPY of the same observables into a table shaped like incident_observables (same
// indexes). Also: the service's resident memory (every process) while importing.
// A small import of each kind runs first, untimed (the helper thread's start).
// Then a bundle of CCC_IMPORT_MAX_BYTES (32 MiB by default: reports of 20 indicators with
// long descriptions): the POST's and the import's seconds, and /health/live's latency while it
// is posted and imported (the HTTP process must not stall: the body is parsed and mapped in a
// helper thread).
// Knobs: BENCH_ATTRIBUTES (20000), BENCH_OBJECTS (10000), BENCH_BIG_MB (32; 0 skips it).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import {
  createApiKey,
  figure,
  migratedDatabase,
  percentile,
  processTree,
  round,
  rssMb,
  startService,
} from './lib/common.js';

const ATTRIBUTES = Number(process.env.BENCH_ATTRIBUTES ?? 20_000);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const BIG_MB = Number(process.env.BENCH_BIG_MB ?? 32);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ip = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function mispEvent(count) {
  const Attribute = [];
  for (let i = 0; i < count; i++) {
    Attribute.push(
      i % 2 === 0
        ? { type: 'ip-dst', category: 'Network activity', value: ip(i), to_ids: true }
        : { type: 'domain', category: 'Network activity', value: `host-${i}.bench.example` },
    );
  }
  return {
    Event: {
      uuid: randomUUID(),
      info: 'Bench: a large event',
      timestamp: String(Math.floor(Date.now() / 1000)),
      Tag: [{ name: 'tlp:amber' }, { name: 'rsit:fraud="phishing"' }],
      Attribute,
    },
  };
}

function stixBundle(count) {
  const now = new Date().toISOString();
  const indicators = [];
  for (let i = 0; i < count - 1; i++) {
    indicators.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: now,
      modified: now,
      pattern:
        i % 2 === 0
          ? `[ipv4-addr:value = '${ip(i)}']`
          : `[domain-name:value = 'h-${i}.bench.example']`,
      pattern_type: 'stix',
      valid_from: now,
    });
  }
  const report = {
    type: 'report',
    spec_version: '2.1',
    id: `report--${randomUUID()}`,
    created: now,
    modified: now,
    name: 'Bench: a large bundle',
    published: now,
    object_refs: indicators.map((o) => o.id),
  };
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [report, ...indicators] };
}

/** Reports of 20 indicators each, up to `mb` MiB of JSON text (just under it). */
function bigBundleText(mb) {
  const now = new Date().toISOString();
  const parts = [];
  let size = 100;
  for (let n = 0; ;) {
    const indicators = [];
    for (let k = 0; k < 20; k++, n++) {
      indicators.push({
        type: 'indicator',
        spec_version: '2.1',
        id: `indicator--${randomUUID()}`,
        created: now,
        modified: now,
        pattern: `[ipv4-addr:value = '${ip(n)}']`,
        pattern_type: 'stix',
        valid_from: now,
        description: 'Seen in the campaign. '.repeat(20),
      });
    }
    const report = {
      type: 'report',
      spec_version: '2.1',
      id: `report--${randomUUID()}`,
      created: now,
      modified: now,
      name: `Campaign report ${n / 20}`,
      published: now,
      object_refs: indicators.map((o) => o.id),
    };
    const text = [report, ...indicators].map((o) => JSON.stringify(o)).join(',');
    if (size + text.length + 1 > mb * 1024 * 1024) break;
    parts.push(text);
    size += text.length + 1;
  }
  return `{"type":"bundle","id":"bundle--${randomUUID()}","objects":[${parts.join(',')}]}`;
}

/** The observables' rows, COPY text format, into a copy of incident_observables. */
async function copyBaseline(url, values) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE bench_observables (LIKE incident_observables INCLUDING ALL)');
    const incident = randomUUID();
    const lines = values.map((v, i) => `${incident}\t${i}\t${v.type}\t${v.value}\n`);
    const started = performance.now();
    await pipeline(
      Readable.from([lines.join('')]),
      client.query(
        copyStreams.from('COPY bench_observables (incident_id, position, type, value) FROM STDIN'),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bench_observables');
    return seconds;
  } finally {
    await client.end();
  }
}

async function main() {
  const db = await migratedDatabase('imports');
  const service = await startService({
    DATABASE_URL: db.url,
    CCC_QUEUE_PREFIX: db.name,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'error',
  });
  const watch = new pg.Client({ connectionString: db.url });
  await watch.connect();
  try {
    const key = await createApiKey(service.url, ADMIN_KEY, 'analyst', 'BY');
    const pids = processTree(service.pid);
    let rssMax = 0;
    const rssByPid = new Map();
    const sampler = setInterval(() => {
      for (const pid of pids) {
        const mb = rssMb(pid);
        rssMax = Math.max(rssMax, mb);
        rssByPid.set(pid, Math.max(rssByPid.get(pid) ?? 0, mb));
      }
    }, 200);
    /** Each process's peak so far, by its role (the supervisor first, then API, worker). */
    const peaks = () => Object.fromEntries([...rssByPid].map(([pid, mb]) => [pid, round(mb)]));

    /** POST, then poll until complete; seconds and the final status. */
    const importOne = async (route, body) => {
      const text = JSON.stringify(body);
      const started = performance.now();
      const res = await fetch(`${service.url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: text,
      });
      if (res.status !== 202) throw new Error(`${route}: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      const posted = (performance.now() - started) / 1000;
      for (;;) {
        const status = await fetch(`${service.url}/api/v1/imports/${id}`, {
          headers: { authorization: `Bearer ${key}` },
        }).then((r) => r.json());
        if (status.status !== 'pending') {
          const seconds = (performance.now() - started) / 1000;
          // The incidents' STIX objects are indexed after commit, by the worker's indexer.
          while (
            Number((await watch.query('SELECT count(*) AS n FROM stix_pending')).rows[0].n) > 0
          ) {
            await sleep(10);
          }
          const indexed = (performance.now() - started) / 1000;
          return { seconds, posted, indexed, status, bytes: text.length };
        }
        await sleep(10);
      }
    };

    // Untimed: a process's first import starts its helper thread, which loads the mapping
    // and compiles the STIX schemas it meets (about a second, once per thread).
    await importOne('/api/v1/imports/misp', mispEvent(10));
    await importOne('/api/v1/imports/stix?tlp=TLP:AMBER', stixBundle(10));

    const results = [];
    const misp = mispEvent(ATTRIBUTES);
    const mispRun = await importOne('/api/v1/imports/misp', misp);
    const mispCopy = await copyBaseline(
      db.url,
      misp.Event.Attribute.map((a) => ({
        type: a.type === 'ip-dst' ? 'ipv4' : 'domain',
        value: a.value,
      })),
    );
    results.push(['misp', mispRun, mispCopy, ATTRIBUTES]);

    const bundle = stixBundle(OBJECTS);
    const stixRun = await importOne('/api/v1/imports/stix?tlp=TLP:AMBER', bundle);
    const stixCopy = await copyBaseline(
      db.url,
      bundle.objects.slice(1).map((o, i) => ({
        type: i % 2 === 0 ? 'ipv4' : 'domain',
        value: /'([^']+)'/.exec(o.pattern)[1],
      })),
    );
    results.push(['stix', stixRun, stixCopy, OBJECTS]);
    const rssSmall = rssMax;
    const peaksSmall = peaks();

    // The largest body the service takes, with /health/live probed all along.
    let big = null;
    if (BIG_MB > 0) {
      const text = bigBundleText(BIG_MB);
      const latencies = [];
      let probing = true;
      const prober = (async () => {
        while (probing) {
          const t = performance.now();
          await fetch(`${service.url}/health/live`).then((r) => r.arrayBuffer());
          latencies.push(performance.now() - t);
          await sleep(5);
        }
      })();
      const started = performance.now();
      const res = await fetch(`${service.url}/api/v1/imports/stix?tlp=TLP:GREEN`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: text,
      });
      const posted = (performance.now() - started) / 1000;
      if (res.status !== 202) throw new Error(`big: ${res.status} ${await res.text()}`);
      const { id } = await res.json();
      let status;
      for (;;) {
        status = await fetch(`${service.url}/api/v1/imports/${id}`, {
          headers: { authorization: `Bearer ${key}` },
        }).then((r) => r.json());
        if (status.status !== 'pending') break;
        await sleep(200);
      }
      const seconds = (performance.now() - started) / 1000;
      probing = false;
      await prober;
      latencies.sort((a, b) => a - b);
      big = { bytes: text.length, posted, seconds, status, latencies };
    }
    clearInterval(sampler);

    for (const [name, run, copy, items] of results) {
      const extra = { items, bytes: run.bytes, outcome: run.status.status };
      figure('imports', `${name}_seconds`, run.seconds, 's', extra);
      figure('imports', `${name}_post_seconds`, run.posted, 's', extra);
      figure('imports', `${name}_copy_seconds`, copy, 's', extra);
      figure('imports', `${name}_ratio`, run.seconds / copy, 'x COPY', extra);
      figure('imports', `${name}_stix_indexed_seconds`, run.indexed, 's', extra);
      figure('imports', `${name}_imported`, run.status.imported + run.status.updated, 'incidents', {
        failed: run.status.failed,
        skipped: run.status.skipped,
      });
    }
    figure('imports', 'rss_max_mb', rssSmall, 'MB', { byPid: peaksSmall });
    if (big) {
      const extra = { bytes: big.bytes, outcome: big.status.status };
      figure('imports', 'big_post_seconds', big.posted, 's', extra);
      figure('imports', 'big_seconds', big.seconds, 's', extra);
      figure('imports', 'big_imported', big.status.imported, 'incidents', {
        failed: big.status.failed,
        skipped: big.status.skipped,
      });
      figure('imports', 'big_live_p50_ms', percentile(big.latencies, 50), 'ms');
      figure('imports', 'big_live_p99_ms', percentile(big.latencies, 99), 'ms');
      figure('imports', 'big_live_max_ms', big.latencies.at(-1), 'ms', {
        probes: big.latencies.length,
      });
      figure('imports', 'big_rss_max_mb', rssMax, 'MB', { byPid: peaks() });
    }
    console.log(
      `\nimports: MISP ${ATTRIBUTES} attributes ${round(mispRun.seconds)} s ` +
        `(${round(mispRun.seconds / mispCopy)}x COPY ${round(mispCopy)} s, ${mispRun.status.status}); ` +
        `STIX ${OBJECTS} objects ${round(stixRun.seconds)} s (${round(stixRun.seconds / stixCopy)}x ` +
        `COPY ${round(stixCopy)} s, ${stixRun.status.status}); goal within 5x; ` +
        `STIX objects indexed after ${round(mispRun.indexed)} s / ${round(stixRun.indexed)} s; ` +
        `RSS max ${round(rssSmall)} MB`,
    );
    if (big) {
      console.log(
        `imports: ${round(big.bytes / 1048576)} MiB bundle: POST ${round(big.posted)} s, ` +
          `${big.status.imported} incidents in ${round(big.seconds)} s (${big.status.status}); ` +
          `/health/live meanwhile p50 ${round(percentile(big.latencies, 50))} ms, ` +
          `p99 ${round(percentile(big.latencies, 99))} ms, max ${round(big.latencies.at(-1))} ms; ` +
          `RSS max ${round(rssMax)} MB`,
      );
    }
  } finally {
    await watch.end();
    await service.stop();
    await db.drop();
  }
}

await main();
