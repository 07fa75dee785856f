import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Runs the real, built service as a child process against the local PostgreSQL and
 * Redis. Each test file gets its own database and queue prefix, so files run in parallel.
 */
export const PG_ADMIN_URL =
  process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Where the compiled service lives; lets several checkouts test side by side.
const DIST = path.resolve(process.env.CCC_TEST_DIST ?? 'dist');

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestEnv {
  databaseName: string;
  databaseUrl: string;
  queuePrefix: string;
  db: pg.Pool;
  redis: Redis;
  /** Drops the database and deletes the queue keys. */
  cleanup(): Promise<void>;
}

export async function createTestEnv(label = 'e2e'): Promise<TestEnv> {
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `ccc_test_${label.replace(/\W/g, '_')}_${suffix}`.toLowerCase();
  const databaseUrl = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${databaseName}`);
  const queuePrefix = `t_${label.replace(/\W/g, '_')}_${suffix}`;
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  db.on('error', () => undefined);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  return {
    databaseName,
    databaseUrl,
    queuePrefix,
    db,
    redis,
    async cleanup() {
      await db.end().catch(() => undefined);
      await deleteRedisKeys(redis, `{${queuePrefix}}*`);
      redis.disconnect();
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function deleteRedisKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * A port free now, for children that cannot report the one they bind (redis-server: port 0
 * turns TCP off). It can be taken before the child binds it; the service itself binds port 0.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Service {
  /** The HTTP API; for role worker, its metrics listener (GET /metrics only). */
  url: string;
  port: number;
  /** Resolves with the port once the service has bound it (url and port throw before). */
  bound: Promise<number>;
  process: ChildProcess;
  logs: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  role?: 'api' | 'worker' | 'all';
  /**
   * Wait for /health/ready; for role=worker (no HTTP server), for GET /metrics on
   * CCC_METRICS_PORT, which it serves once started.
   */
  waitReady?: boolean;
  /** How long start-up may take (default 60 s: a loaded 2-core machine can need it). */
  timeoutMs?: number;
}

/** As in production (package.json `start*`, Dockerfile), so tests run within the same heap. */
const SERVICE_NODE_FLAGS = ['--max-old-space-size=128'];

export async function startService(testEnv: TestEnv, options: StartOptions = {}): Promise<Service> {
  const role = options.role ?? 'all';
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(DIST, 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testEnv.databaseUrl,
      REDIS_URL,
      // Port 0: the system picks a free port and the service logs it (`listening`); a port
      // chosen here could be taken by a parallel test before the child binds it.
      PORT: '0',
      CCC_ROLE: role,
      // One process per service: tests start many; the split layout has its own spec.
      CCC_PROCESSES: '1',
      CCC_QUEUE_PREFIX: testEnv.queuePrefix,
      CCC_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      CCC_WEBHOOK_ALLOW_PRIVATE: 'true',
      CCC_WEBHOOK_BACKOFF_MS: '100',
      LOG_LEVEL: 'warn',
      // Files run in parallel, each often with two services: small pools keep PostgreSQL's
      // connection limit (100 by default) out of reach.
      CCC_DB_POOL_SIZE: '6',
      ...(role === 'worker' ? { CCC_METRICS_PORT: '0' } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listener = role === 'worker' ? 'metrics' : 'http';
  let output = '';
  let port: number | undefined;
  let onPort: (port: number) => void = () => undefined;
  const bound = new Promise<number>((resolve) => (onPort = resolve));
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    if (port === undefined) {
      port = listeningPort(output, listener);
      if (port !== undefined) onPort(port);
    }
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const known = () => {
    if (port === undefined) throw new Error(`the service has not reported its port yet`);
    return port;
  };
  const service: Service = {
    get url() {
      return `http://127.0.0.1:${known()}`;
    },
    get port() {
      return known();
    },
    bound,
    process: child,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  if (options.waitReady !== false) {
    const probe = role === 'worker' ? '/metrics' : '/health/ready';
    // A service that never got ready must not outlive the test (it holds connections).
    await waitReady(service, probe, exited, options.timeoutMs ?? 60_000).catch(async (err) => {
      await service.kill();
      throw err;
    });
  }
  return service;
}

/** The port of the service's `listening` log line for this listener, once it is written. */
function listeningPort(output: string, listener: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; listener?: string; port?: number };
      if (entry.msg === 'listening' && entry.listener === listener) return entry.port;
    } catch {
      // a partial line: the rest comes with the next chunk
    }
  }
  return undefined;
}

async function waitReady(
  service: Service,
  probe: string,
  exited: Promise<number | null>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`service exited during start-up:\n${service.logs()}`);
    try {
      const res = await fetch(`${service.url}${probe}`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`service not ready after ${timeoutMs} ms:\n${service.logs()}`);
}

/** Runs the service with the given environment and returns how it ended (for start-up checks). */
export async function runToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(DIST, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}
