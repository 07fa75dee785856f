import { Queue } from 'bullmq';
import type pg from 'pg';
import { Api } from './support/api.js';
import { createTestEnv, REDIS_URL, Service, startService, TestEnv } from './support/service.js';

// Critical is short, everything else long: a severity change must move the deadlines.
const ESCALATION_ENV = {
  CCC_SLA_ACK_SECONDS: 'critical=3,high=30,medium=30,low=60',
  CCC_ESCALATION_MAX_LEVEL: '3',
};

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

async function dispatchOf(db: pg.Pool, incidentId: string) {
  const { rows } = await db.query(
    `SELECT id, escalation_level AS level, ack_deadline AS deadline, created_at AS created
       FROM dispatches WHERE incident_id = $1`,
    [incidentId],
  );
  return rows[0] as { id: string; level: number; deadline: Date | null; created: Date };
}

describe('SLA escalation: deadlines follow severity changes', () => {
  let env: TestEnv;
  let service: Service;
  let coordinator: Api;
  let queue: Queue;

  beforeAll(async () => {
    env = await createTestEnv('escalation_recompute');
    service = await startService(env, { env: ESCALATION_ENV });
    const admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    queue = new Queue('escalations', {
      connection: { url: REDIS_URL },
      prefix: `{${env.queuePrefix}}`,
    });
  });

  afterAll(async () => {
    await queue?.close();
    await service?.stop();
    await env?.cleanup();
  });

  async function file(severity: string): Promise<string> {
    const res = await coordinator.post('/api/v1/incidents', {
      title: 'Ransomware at a grid operator',
      category: 'malicious-code/malware-distribution',
      severity,
      tlp: 'TLP:AMBER',
      sector: 'energy',
      reportingState: 'KZ',
      affectedStates: ['RU'],
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const patch = async (id: string, severity: string) =>
    expect((await coordinator.patch(`/api/v1/incidents/${id}`, { severity })).status).toBe(200);

  it('escalates at the new, shorter deadline after an upgrade, counted from the last escalation', async () => {
    const incidentId = await file('high');
    const before = await dispatchOf(env.db, incidentId);
    expect(before.deadline!.getTime() - before.created.getTime()).toBeCloseTo(30_000, -3);

    await patch(incidentId, 'critical');
    const upgraded = await dispatchOf(env.db, incidentId);
    expect(upgraded.deadline!.getTime() - upgraded.created.getTime()).toBeCloseTo(3_000, -3);
    await waitFor(
      () => dispatchOf(env.db, incidentId),
      (d) => d.level === 1,
      'level 1',
    );

    // Back to high: one high period after the escalation, not after the creation.
    await patch(incidentId, 'high');
    const { rows } = await env.db.query(
      `SELECT max(at) AS at FROM timeline_events WHERE incident_id = $1 AND type = 'escalated'`,
      [incidentId],
    );
    const downgraded = await dispatchOf(env.db, incidentId);
    expect(downgraded.level).toBe(1);
    expect(downgraded.deadline!.getTime() - new Date(rows[0].at).getTime()).toBeCloseTo(30_000, -3);
    const audit = await env.db.query(
      `SELECT change FROM audit_log WHERE target_id = $1 AND action = 'incident.reclassified'
        ORDER BY seq`,
      [incidentId],
    );
    expect(audit.rows).toHaveLength(2);
  });

  it('keeps a job that fires before a deadline moved later waiting for the new deadline', async () => {
    const incidentId = await file('critical');
    const { id, deadline } = await dispatchOf(env.db, incidentId);
    const jobId = `escalate:${id}:0`;
    await waitFor(
      async () => (await queue.getJob(jobId)) ?? null,
      (j) => j !== null,
      'the job',
    );

    await patch(incidentId, 'low');
    const moved = await dispatchOf(env.db, incidentId);
    expect(moved.deadline!.getTime() - moved.created.getTime()).toBeCloseTo(60_000, -3);

    // Past the old deadline the job runs, finds the dispatch not due, and goes back to wait
    // for the new one: it has been processed and BullMQ scores it (timestamp * 0x1000 +
    // a counter) at the new deadline.
    const delayedUntil = async () => {
      const job = await queue.getJob(jobId);
      const score = await env.redis.zscore(`{${env.queuePrefix}}:escalations:delayed`, jobId);
      return job?.processedOn && score !== null ? Math.floor(Number(score) / 0x1000) : null;
    };
    await waitFor(
      delayedUntil,
      (until) => until === moved.deadline!.getTime(),
      'the job re-delayed',
      30_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(deadline!.getTime());
    expect((await dispatchOf(env.db, incidentId)).level).toBe(0);
    expect(await (await queue.getJob(jobId))!.getState()).toBe('delayed');
  });
});
