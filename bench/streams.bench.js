// Live events at scale: 200 open event streams (GET /api/v1/events) while 20 incidents/s
// are filed, the way the console uses them. Measures, for every stream that may see an
// incident, the time from the filing's 201 to the incident's first event on that stream,
// and the service's resident memory. Baseline in the same run: the same filings with one
// stream open. Streams belong to 20 API keys (10 each, the per-key limit): coordinators,
// Kazakhstan's analysts (the dispatched state), Belarus's (the reporter) and Armenia's,
// which sees none of the TLP:AMBER incidents and only adds load.
// Knobs: BENCH_STREAMS (200), BENCH_RATE (20), BENCH_SECONDS (20).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  figure,
  migratedDatabase,
  processTree,
  round,
  rssMb,
  startService,
  summarize,
} from './lib/common.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const PER_KEY = 10;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(url, key, method, route, body) {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One event stream; notes when each incident's first event arrives. */
function openStream(url, key, agent) {
  return new Promise((resolve, reject) => {
    const seen = new Map();
    const req = http.get(
      `${url}/api/v1/events`,
      { agent, headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: HTTP ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          const at = performance.now();
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            for (const line of block.split('\n')) {
              if (!line.startsWith('data: ')) continue;
              const id = JSON.parse(line.slice(6)).incidentId;
              if (id && !seen.has(id)) seen.set(id, at);
            }
          }
        });
        // The first write (`retry:`) comes once the service has subscribed this stream.
        res.once('data', () => resolve({ seen, close: () => req.destroy() }));
      },
    );
    req.on('error', (err) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
  });
}

let n = 0;
let named = 0;
const incident = () => ({
  title: `Live event ${++n}`,
  category: 'fraud/phishing',
  severity: 'high',
  tlp: 'TLP:AMBER',
  sector: 'finance',
  affectedStates: ['KZ'],
});

/** Files at `RATE`/s for `SECONDS` (open loop); each accepted filing's id and 201 time. */
async function fileAtRate(url, key) {
  const count = RATE * SECONDS;
  const start = performance.now();
  const filed = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 1) await sleep(wait);
    filed.push(
      api(url, key, 'POST', '/api/v1/incidents', incident()).then((body) => ({
        id: body.id,
        answered: performance.now(),
      })),
    );
  }
  return Promise.all(filed);
}

/** Latency from 201 to event over every (stream that may see it, incident) pair. */
async function latencies(streams, filed) {
  const deadline = Date.now() + 15_000;
  const missing = () => streams.some((s) => filed.some((f) => !s.seen.has(f.id)));
  while (missing() && Date.now() < deadline) await sleep(100);
  const values = [];
  let lost = 0;
  for (const s of streams) {
    for (const f of filed) {
      if (s.seen.has(f.id)) values.push(s.seen.get(f.id) - f.answered);
      else lost++;
    }
  }
  return { ...summarize(values), lost };
}

async function main() {
  const db = await migratedDatabase('streams');
  const service = await startService({
    DATABASE_URL: db.url,
    CCC_QUEUE_PREFIX: db.name,
    CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    CCC_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'error',
  });
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    const key = async (role, state) =>
      (
        await api(service.url, ADMIN_KEY, 'POST', '/api/v1/api-keys', {
          name: `bench-${role}-${state ?? 'CCC'}-${++named}`,
          role,
          state,
        })
      ).key;
    const filer = await key('analyst', 'BY');
    const kinds = [
      ['coordinator', undefined, true],
      ['analyst', 'KZ', true],
      ['analyst', 'BY', true],
      ['analyst', 'AM', false],
    ];
    const keys = [];
    for (let i = 0; keys.length * PER_KEY < STREAMS; i++) {
      const [role, state, sees] = kinds[i % kinds.length];
      keys.push({ key: await key(role, state), sees });
    }

    // Baseline: one coordinator stream.
    const one = await openStream(service.url, keys[0].key, agent);
    await fileAtRate(service.url, filer); // warm-up
    const baseline = await latencies([one], await fileAtRate(service.url, filer));
    one.close();

    const streams = [];
    for (let i = 0; i < STREAMS; i++) {
      const k = keys[Math.floor(i / PER_KEY)];
      streams.push({ ...(await openStream(service.url, k.key, agent)), sees: k.sees });
    }
    const pids = processTree(service.pid);
    const rssBefore = Math.max(...pids.map(rssMb));
    let rssMax = rssBefore;
    const sampler = setInterval(() => {
      for (const pid of pids) rssMax = Math.max(rssMax, rssMb(pid));
    }, 1000);
    const filed = await fileAtRate(service.url, filer);
    const loaded = await latencies(
      streams.filter((s) => s.sees),
      filed,
    );
    clearInterval(sampler);
    const leaked = streams.filter((s) => !s.sees && filed.some((f) => s.seen.has(f.id))).length;
    for (const s of streams) s.close();

    const extra = { streams: STREAMS, rate: RATE, seconds: SECONDS };
    figure('streams', 'baseline_1_stream_p50', baseline.p50, 'ms', extra);
    figure('streams', 'baseline_1_stream_p99', baseline.p99, 'ms', extra);
    figure('streams', 'latency_p50', loaded.p50, 'ms', extra);
    figure('streams', 'latency_p99', loaded.p99, 'ms', extra);
    figure('streams', 'ratio_p99_to_baseline', loaded.p99 / baseline.p99, 'x', extra);
    figure('streams', 'events_lost', loaded.lost + baseline.lost, 'count', extra);
    figure('streams', 'events_on_streams_that_may_not_see', leaked, 'count', extra);
    figure('streams', 'rss_before_mb', rssBefore, 'MB', extra);
    figure('streams', 'rss_max_mb', rssMax, 'MB', extra);
    console.log(
      `\nstreams: ${STREAMS} streams at ${RATE} filings/s: 201 -> event p50 ${round(loaded.p50)} ms, ` +
        `p99 ${round(loaded.p99)} ms (target 500; one stream: p99 ${round(baseline.p99)} ms); ` +
        `${loaded.lost} lost, ${leaked} streams saw what they may not; RSS ${round(rssBefore)} -> ` +
        `${round(rssMax)} MB`,
    );
  } finally {
    agent.destroy();
    await service.stop();
    await db.drop();
  }
}

await main();
