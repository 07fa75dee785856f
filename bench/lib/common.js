// Shared helpers for the benchmarks: scratch databases, the built service, percentiles, output.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PG_ADMIN_URL =
  process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Node flags the service runs with in production (package.json `start*`, Dockerfile): a
 * bounded old generation keeps RSS under 250 MB at no measured cost (docs/performance.md, "Memory").
 */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=128'];
/** The build under test: dist/ (npm run build), or another one with BENCH_DIST=.build/x. */
export const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? 'dist');

export function scratchName(label) {
  return `ccc_bench_${label}_${randomBytes(3).toString('hex')}`;
}

export function databaseUrl(name) {
  return PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
}

export async function dropDatabase(name) {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/** Deletes a queue prefix's keys (`{prefix}…`) from Redis. */
export async function deleteQueueKeys(prefix) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Creates and migrates a scratch database with the built service's migrations. Use its
 * name as the queue prefix: `drop()` removes the database and that prefix's Redis keys.
 */
export async function migratedDatabase(label) {
  const name = scratchName(label);
  const { prepareDatabase } = await import(path.join(DIST, 'database/prepare-database.js'));
  await prepareDatabase(databaseUrl(name));
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      await dropDatabase(name);
      await deleteQueueKeys(name);
    },
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts DIST/main.js and waits until /health/ready answers (roles api/all).
 * BENCH_NODE_ARGS adds Node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startService(env) {
  const port = env.PORT ?? String(await freePort());
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, ...nodeArgs, path.join(DIST, 'main.js')],
    {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', REDIS_URL, ...env, PORT: port },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  if ((env.CCC_ROLE ?? 'all') !== 'worker') {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error('service exited during start-up');
      try {
        if ((await fetch(`${url}/health/ready`)).ok) break;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error('service not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A new API key of `role` (and `state`), made with the bootstrap admin key; its secret. */
export async function createApiKey(url, adminKey, role, state) {
  const res = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench-${role}`, role, ...(state ? { state } : {}) }),
  });
  if (!res.ok) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return (await res.json()).key;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** One JSON line per figure, so `npm run bench` output can be collected by tools. */
export function figure(bench, name, value, unit, extra = {}) {
  console.log(JSON.stringify({ bench, figure: name, value: round(value), unit, ...extra }));
}

export function round(v) {
  return typeof v === 'number' ? Math.round(v * 1000) / 1000 : v;
}

/** Resident memory of a process, in MB. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

/** A process and its descendants (the service may run its roles as child processes). */
export function processTree(pid) {
  const children = (p) => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ').filter(Boolean);
    } catch {
      return [];
    }
  };
  const all = [String(pid)];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]));
  return all.map(Number);
}

/** Least-squares slope of memory over time (`{t: seconds, mb}`), in MB per minute. */
export function slopePerMinute(samples) {
  const xs = samples.map((s) => s.t / 60);
  const ys = samples.map((s) => s.mb);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** CPU time used so far (user + system, ms) by these processes; gone ones count 0. */
export function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The PostgreSQL backends serving one database (their title names it). */
export function backendsOf(database) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres: ') && cmd.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}
