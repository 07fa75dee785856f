import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { jobId, QueueName } from '../src/queues/queues.js';
import { Api } from './support/api.js';
import {
  createTestEnv,
  deleteRedisKeys,
  REDIS_URL,
  Service,
  startService,
  TestEnv,
} from './support/service.js';
import { eventually } from './support/webhook-receiver.js';

const EVERY_SECOND = {
  CCC_REPORT_WEEKLY_CRON: '* * * * * *',
  CCC_REPORT_MONTHLY_CRON: '* * * * * *',
};
const DAY = 24 * 3600 * 1000;

/** Worked out here independently of src/reports/report-periods.ts. */
function expectedPeriods(now: Date) {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((now.getUTCDay() + 6) % 7) * DAY;
  const firstOfMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const firstOfPrevious = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  return {
    weekly: [new Date(monday - 7 * DAY).toISOString(), new Date(monday).toISOString()],
    monthly: [new Date(firstOfPrevious).toISOString(), new Date(firstOfMonth).toISOString()],
  };
}

describe('Report schedules and recovery across instances', () => {
  let env: TestEnv;
  const services: Service[] = [];
  let connection: Redis;
  let queue: Queue;

  beforeAll(async () => {
    env = await createTestEnv('reports_schedule');
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QueueName.Reports, { connection, prefix: `{${env.queuePrefix}}` });
  }, 60_000);

  afterAll(async () => {
    for (const s of services) await s.stop();
    await queue?.close();
    connection?.disconnect();
    await env?.cleanup();
  }, 60_000);

  /** Waits until both schedulers have fired `n` more times than now. */
  async function moreFires(n: number): Promise<void> {
    const fired = async (scheduler: string) =>
      (await queue.getJobScheduler(scheduler))?.iterationCount ?? 0;
    for (const scheduler of ['report-weekly', 'report-monthly']) {
      const from = await fired(scheduler);
      await eventually(async () => (await fired(scheduler)) >= from + n, `${scheduler} to fire`);
    }
  }

  async function status(id: string): Promise<string> {
    const { rows } = await env.db.query('SELECT status FROM reports WHERE id = $1', [id]);
    return rows[0]?.status as string;
  }

  it('generates a report whose job Redis lost: PostgreSQL re-drives it', async () => {
    const api = await startService(env, { role: 'api' });
    services.push(api);
    const admin = new Api(api.url);
    const res = await admin.post('/api/v1/reports', {
      from: '2026-04-01',
      to: '2026-05-01',
      audience: 'public',
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(await queue.getJob(jobId.report(id))).toBeTruthy();

    // Redis flushed (this deployment's keys) while no worker runs.
    await deleteRedisKeys(env.redis, `{${env.queuePrefix}}*`);
    expect(await queue.getJob(jobId.report(id))).toBeUndefined();
    // Past the reconciler's grace for fresh rows (5 s), so the next instance re-drives it.
    await eventually(async () => {
      const { rows } = await env.db.query(
        `SELECT created_at < now() - interval '5 seconds' AS old FROM reports WHERE id = $1`,
        [id],
      );
      return rows[0].old === true;
    }, 'the report row to pass the grace period');
    expect(await status(id)).toBe('queued');

    // Two more instances, both firing the schedules every second (used by the next test too).
    services.push(await startService(env, { role: 'worker', env: EVERY_SECOND }));
    services.push(await startService(env, { role: 'all', env: EVERY_SECOND }));
    await eventually(async () => (await status(id)) === 'ready', 'the re-driven report');
    const ready = await admin.get(`/api/v1/reports/${id}`);
    expect(ready.body).toMatchObject({ id, status: 'ready', kind: 'on-demand' });
  }, 90_000);

  it('makes one community report per period however often two instances fire the schedules', async () => {
    const before = expectedPeriods(new Date());
    for (const scheduler of ['report-weekly', 'report-monthly']) {
      await eventually(
        async () => ((await queue.getJobScheduler(scheduler))?.iterationCount ?? 0) >= 6,
        `${scheduler} to fire six times`,
      );
    }
    await moreFires(3);
    const after = expectedPeriods(new Date());

    const { rows } = await env.db.query(
      `SELECT id, kind, period_from, period_to, audience, requested_by FROM reports
        WHERE kind <> 'on-demand' ORDER BY kind, period_from`,
    );
    for (const kind of ['weekly', 'monthly'] as const) {
      const mine = rows.filter((r) => r.kind === kind);
      const periods = mine.map((r) => [r.period_from.toISOString(), r.period_to.toISOString()]);
      // One row per period; normally one period, two if the run straddled a boundary.
      expect(new Set(periods.map((p) => p[0])).size).toBe(mine.length);
      expect(periods).toContainEqual(after[kind]);
      expect(mine.length).toBe(before[kind][0] === after[kind][0] ? 1 : 2);
      for (const r of mine)
        expect(r).toMatchObject({ audience: 'community', requested_by: 'system' });
    }

    // Each scheduled report was created, generated and published exactly once.
    const ids = rows.map((r) => r.id as string);
    await eventually(async () => {
      const { rows: s } = await env.db.query(
        `SELECT count(*)::int AS n FROM reports WHERE id = ANY($1) AND status = 'ready'`,
        [ids],
      );
      return s[0].n === ids.length;
    }, 'the scheduled reports to be ready');
    await moreFires(2); // any duplicate a later fire would make has had its chance
    const { rows: audit } = await env.db.query(
      `SELECT target_id, action, count(*)::int AS n FROM audit_log
        WHERE target_id = ANY($1) GROUP BY target_id, action`,
      [ids],
    );
    for (const id of ids) {
      const actions = Object.fromEntries(
        audit.filter((a) => a.target_id === id).map((a) => [a.action, a.n]),
      );
      expect(actions).toEqual({ 'report.scheduled': 1, 'report.ready': 1 });
    }
    const { rows: published } = await env.db.query(
      `SELECT payload->'data'->'report'->>'id' AS id, count(*)::int AS n FROM outbox
        WHERE type = 'report.published' AND payload->'data'->'report'->>'id' = ANY($1)
        GROUP BY 1`,
      [ids],
    );
    expect(published).toHaveLength(ids.length);
    for (const p of published) expect(p.n).toBe(7); // six member states and the center
  }, 120_000);

  it('reinstalls the schedulers after a Redis flush (reconciler pass, every 30 s)', async () => {
    await deleteRedisKeys(env.redis, `{${env.queuePrefix}}*`);
    expect(await queue.getJobScheduler('report-weekly')).toBeUndefined();
    for (const scheduler of ['report-weekly', 'report-monthly']) {
      await eventually(
        async () => (await queue.getJobScheduler(scheduler)) !== undefined,
        `${scheduler} to be reinstalled`,
        45_000,
      );
    }
    const { rows } = await env.db.query(
      `SELECT kind, count(*)::int AS n, count(DISTINCT period_from)::int AS periods
         FROM reports WHERE kind <> 'on-demand' GROUP BY kind`,
    );
    // Still one per period: the period rows in PostgreSQL, not Redis, decide.
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.n).toBe(r.periods);
  }, 90_000);
});
