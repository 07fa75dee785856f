import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PG_ADMIN_URL, REDIS_URL } from '../../test/support/service.js';
import { waitFor } from '../../test/support/wait-for.js';
import { backoffMs, BackgroundLoop, RunContext } from './background-loop.js';
import { PgAdvisoryLease, RedisLease } from './leases.js';

const loops: BackgroundLoop[] = [];
function loop(...args: ConstructorParameters<typeof BackgroundLoop>): BackgroundLoop {
  const created = new BackgroundLoop(...args);
  loops.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
});

describe('BackgroundLoop', () => {
  it('runs at start, then again after each pause, and not after stop', async () => {
    let runs = 0;
    const l = loop({ name: 'test', intervalMs: 10 }, async () => {
      runs += 1;
    });
    l.start();
    await waitFor(() => runs >= 3);
    await l.stop();
    const atStop = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(atStop);
  });

  it('stop waits for the run in progress, and tells it to hurry', async () => {
    let finished = false;
    let sawStopping = false;
    const l = loop({ name: 'test', intervalMs: 10_000 }, async (ctx: RunContext) => {
      await waitFor(() => ctx.stopping);
      sawStopping = true;
      finished = true;
    });
    l.start();
    await waitFor(() => l.running);
    await l.stop();
    expect(sawStopping).toBe(true);
    expect(finished).toBe(true);
  });

  it('stop does not wait longer than stopTimeoutMs for a stuck run', async () => {
    const l = loop(
      { name: 'test', intervalMs: 10_000, stopTimeoutMs: 50 },
      () => new Promise(() => {}),
    );
    l.start();
    await waitFor(() => l.running);
    await l.stop(); // resolves although the run never does
  });

  it('kick runs now, and once more after a run in progress', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const l = loop({ name: 'test', intervalMs: 60_000 }, async () => {
      runs += 1;
      if (runs === 2) await new Promise<void>((r) => (release = r));
    });
    l.start();
    await waitFor(() => runs === 1 && !l.running);
    const second = l.kick(); // the pause is a minute: only the kick runs it
    await waitFor(() => runs === 2);
    void l.kick();
    void l.kick(); // both coalesce into one more run
    release();
    await second;
    await waitFor(() => runs === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toBe(3);
  });

  it('backs off after failures, doubling up to the cap, and recovers', async () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(100, n, 1_000))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(backoffMs(100, 0, 1_000)).toBe(100);
    let runs = 0;
    const l = loop({ name: 'test', intervalMs: 5, maxBackoffMs: 20 }, async () => {
      runs += 1;
      if (runs <= 4) throw new Error(`failure ${runs}`);
    });
    l.start();
    await waitFor(() => runs >= 6, { what: 'runs after failures' });
    expect(l.pauses.slice(0, 5)).toEqual([5, 10, 20, 20, 5]);
  });

  it('uses the pause a run returns', async () => {
    const starts: number[] = [];
    const l = loop({ name: 'test', intervalMs: 60_000 }, async () => {
      starts.push(Date.now());
      return 1;
    });
    l.start();
    await waitFor(() => starts.length >= 3); // with the 60 s interval this never happens
  });
});

describe('leases', () => {
  it('Redis: one holder at a time; another takes over after release or expiry', async () => {
    const redis = new Redis(REDIS_URL);
    const key = `{test-lease-${randomUUID()}}`;
    try {
      const a = new RedisLease(redis, key, 200);
      const b = new RedisLease(redis, key, 200);
      expect(await a.hold()).toBe('acquired');
      expect(await a.hold()).toBe('renewed');
      expect(await b.hold()).toBeNull();
      await a.release();
      expect(await b.hold()).toBe('acquired');
      // b stops renewing (a crash): a gets it once the TTL runs out.
      expect(await waitFor(() => a.hold().then((r) => r ?? undefined))).toBe('acquired');
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });

  it('PostgreSQL: one holder at a time; freed when the holder stops or its session dies', async () => {
    const lockId = 700_000_000 + Math.floor(Math.random() * 1_000_000);
    const a = new PgAdvisoryLease(PG_ADMIN_URL, lockId, 'ccc-lease-spec-a');
    const b = new PgAdvisoryLease(PG_ADMIN_URL, lockId, 'ccc-lease-spec-b');
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      expect(await a.hold()).toBe('acquired');
      expect(await a.hold()).toBe('renewed');
      expect(await b.hold()).toBeNull();
      await a.release();
      expect(await b.hold()).toBe('acquired');
      expect(await a.hold()).toBeNull();
      // b's process dies: PostgreSQL ends its session and the lock with it.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ccc-lease-spec-b'`,
      );
      expect(await waitFor(() => a.hold().then((r) => r ?? undefined))).toBe('acquired');
    } finally {
      await a.release();
      await b.release();
      await admin.end();
    }
  });

  it('a loop with a lease runs on one instance only', async () => {
    const redis = new Redis(REDIS_URL);
    const key = `{test-lease-${randomUUID()}}`;
    const runs = { a: 0, b: 0 };
    const fresh: boolean[] = [];
    try {
      const a = loop(
        { name: 'a', intervalMs: 5, lease: new RedisLease(redis, key, 5_000) },
        async (ctx) => {
          runs.a += 1;
          fresh.push(ctx.freshLease);
        },
      );
      const b = loop(
        { name: 'b', intervalMs: 5, lease: new RedisLease(redis, key, 5_000) },
        async () => {
          runs.b += 1;
        },
      );
      a.start();
      await waitFor(() => runs.a >= 1);
      b.start();
      await waitFor(() => runs.a >= 5);
      expect(runs.b).toBe(0);
      expect(fresh.slice(0, 2)).toEqual([true, false]);
      await a.stop(); // hands the lease over
      await waitFor(() => runs.b >= 1);
    } finally {
      await Promise.all(loops.splice(0).map((l) => l.stop()));
      await redis.del(key);
      redis.disconnect();
    }
  });
});
