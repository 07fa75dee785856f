import { Queue } from 'bullmq';
import type pg from 'pg';
import { QueueName } from '../src/queues/queues.js';
import { Api } from './support/api.js';
import {
  createTestEnv,
  deleteRedisKeys,
  Service,
  startService,
  TestEnv,
} from './support/service.js';
import { setContacts, WebhookReceiver } from './support/webhook-receiver.js';

// Every severity gets a 2-second acknowledgement deadline; two escalations at most.
const ESCALATION_ENV = {
  CCC_SLA_ACK_SECONDS: 'critical=2,high=2,medium=2,low=2',
  CCC_ESCALATION_MAX_LEVEL: '2',
};

let counter = Math.floor(Math.random() * 100_000);

interface Filed {
  incidentId: string;
  reference: string;
  dispatches: Record<string, string>;
}

/** Files an incident with dispatches straight in SQL, as intake would, deadline included. */
async function fileIncident(
  db: pg.Pool,
  states: string[],
  opts: { status?: string; deadlineSeconds?: number } = {},
): Promise<Filed> {
  const reference = `CCC-2026-${String(++counter).padStart(6, '0')}`;
  const { rows } = await db.query(
    `INSERT INTO incidents (reference, title, category, severity, tlp, sector, reporting_state,
                            affected_states, suggested_states, status)
     VALUES ($1, 'Phishing wave', 'fraud/phishing', 'high', 'TLP:AMBER', 'finance', 'AM', $2, '{TJ}', $3)
     RETURNING id`,
    [reference, states, opts.status ?? 'new'],
  );
  const incidentId = rows[0].id as string;
  const { rows: dispatched } = await db.query(
    `INSERT INTO dispatches (incident_id, state, ack_deadline)
     SELECT $1, s, now() + make_interval(secs => $3) FROM unnest($2::text[]) AS s
     RETURNING id, state`,
    [incidentId, states, opts.deadlineSeconds ?? 2],
  );
  return {
    incidentId,
    reference,
    dispatches: Object.fromEntries(dispatched.map((d) => [d.state, d.id])),
  };
}

async function dispatch(db: pg.Pool, id: string) {
  const { rows } = await db.query(
    'SELECT escalation_level AS level, ack_deadline AS deadline FROM dispatches WHERE id = $1',
    [id],
  );
  return rows[0] as { level: number; deadline: Date | null };
}

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/**
 * A check that something did NOT happen needs proof that it had the chance: files a marker
 * incident with the same deadline and waits until it is escalated twice, so the escalator
 * has run at least two more periods since the call.
 */
async function twoMorePeriods(db: pg.Pool): Promise<void> {
  const marker = await fileIncident(db, ['KG'], { deadlineSeconds: 2 });
  await waitFor(
    () => dispatch(db, marker.dispatches.KG),
    (d) => d.level === 2,
    'a later marker incident escalated twice',
    40_000,
  );
}

async function escalatedRows(db: pg.Pool, incidentId: string) {
  const timeline = await db.query(
    `SELECT actor, data FROM timeline_events WHERE incident_id = $1 AND type = 'escalated'
      ORDER BY at, id`,
    [incidentId],
  );
  const outbox = await db.query(
    `SELECT party, payload FROM outbox WHERE incident_id = $1 AND type = 'incident.escalated'
      ORDER BY seq`,
    [incidentId],
  );
  const audit = await db.query(
    `SELECT actor, change FROM audit_log WHERE target_id = $1 AND action = 'incident.escalated'
      ORDER BY seq`,
    [incidentId],
  );
  return { timeline: timeline.rows, outbox: outbox.rows, audit: audit.rows };
}

describe('SLA escalation', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let receiver: WebhookReceiver;
  const extra: Service[] = [];
  const otherPrefix = () => `${env.queuePrefix}_b`;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    env = await createTestEnv('escalation');
    service = await startService(env, { env: ESCALATION_ENV });
    admin = new Api(service.url);
  });

  afterAll(async () => {
    await Promise.all(extra.map((s) => s.stop()));
    await service?.stop();
    if (env) await deleteRedisKeys(env.redis, `{${otherPrefix()}}*`);
    await env?.cleanup();
    await receiver?.close();
  });

  it('escalates to the state and the coordination center, level by level, up to the maximum', async () => {
    const ccc = receiver.endpoint();
    const by = receiver.endpoint();
    await setContacts(admin, 'CCC', [{ type: 'webhook', url: ccc.url, secret: ccc.secret }]);
    await setContacts(admin, 'BY', [{ type: 'webhook', url: by.url, secret: by.secret }]);
    const analyst = admin.as(await admin.createKey('analyst', 'AM'));
    const filed = await analyst.post('/api/v1/incidents', {
      title: 'Credential phishing against ministries',
      category: 'fraud/phishing',
      severity: 'high',
      tlp: 'TLP:RED',
      sector: 'government',
      affectedStates: ['BY'],
      observables: [{ type: 'domain', value: 'login.evil.tj' }],
    });
    expect(filed.status).toBe(201);
    expect(filed.body.routing.dispatchedTo).toEqual(['BY']);
    const incidentId: string = filed.body.id;
    const [dispatchId] = (
      await env.db.query('SELECT id FROM dispatches WHERE incident_id = $1', [incidentId])
    ).rows.map((r) => r.id as string);

    const coordinator = admin.as(await admin.createKey('coordinator'));
    await waitFor(
      async () => (await coordinator.get(`/api/v1/incidents/${incidentId}`)).body.dispatches,
      (d) => d[0]?.escalationLevel === 2,
      'level 2 through the API',
    );

    // Both parties' contacts receive both escalations, signed.
    for (const endpoint of [by, ccc]) {
      const hooks = await waitFor(
        async () => endpoint.requests.filter((r) => r.json?.type === 'incident.escalated'),
        (r) => r.length >= 2,
        `incident.escalated at ${endpoint.path}`,
      );
      expect(hooks.map((h) => h.verified)).toEqual([true, true]);
      expect(hooks.map((h) => h.json.data.dispatch.escalationLevel).sort()).toEqual([1, 2]);
      for (const { json, body } of hooks) {
        expect(json.data.incident).toMatchObject({
          id: incidentId,
          reference: filed.body.reference,
          severity: 'high',
          tlp: 'TLP:RED',
        });
        expect(json.data.dispatch.state).toBe('BY');
        expect(body).not.toContain('"TJ"'); // constituency suggestions are shared with no one
      }
    }

    const { timeline, outbox, audit } = await escalatedRows(env.db, incidentId);
    expect(timeline).toEqual([
      { actor: 'system', data: { state: 'BY', level: 1 } },
      { actor: 'system', data: { state: 'BY', level: 2 } },
    ]);
    expect(outbox.map((o) => [o.party, o.payload.data.dispatch.escalationLevel])).toEqual([
      ['BY', 1],
      ['CCC', 1],
      ['BY', 2],
      ['CCC', 2],
    ]);
    expect(audit.map((a) => [a.actor, JSON.parse(a.change).escalationLevel])).toEqual([
      ['system', 1],
      ['system', 2],
    ]);

    // The maximum holds: no deadline left, and nothing more after another period.
    expect((await dispatch(env.db, dispatchId)).deadline).toBeNull();
    await twoMorePeriods(env.db);
    expect(await dispatch(env.db, dispatchId)).toEqual({ level: 2, deadline: null });
    expect((await escalatedRows(env.db, incidentId)).outbox).toHaveLength(4);
    expect(
      ccc.requests.filter(
        (r) => r.json?.type === 'incident.escalated' && r.json.data.incident.id === incidentId,
      ),
    ).toHaveLength(2);

    const listed = await admin.get(
      `/api/v1/audit?action=incident.escalated&targetType=incident&targetId=${incidentId}`,
    );
    expect(listed.body.items).toHaveLength(2);
  });

  it('stops escalating once acknowledged, and never escalates a dispatch acknowledged in time', async () => {
    const coordinator = admin.as(await admin.createKey('coordinator'));
    const filed = await coordinator.post('/api/v1/incidents', {
      title: 'DDoS on payment gateways',
      category: 'availability/ddos',
      severity: 'critical',
      tlp: 'TLP:GREEN',
      sector: 'finance',
      reportingState: 'AM',
      affectedStates: ['BY', 'KZ'],
    });
    expect(filed.status).toBe(201);
    const incidentId: string = filed.body.id;
    const ids = Object.fromEntries(
      (
        await env.db.query('SELECT state, id FROM dispatches WHERE incident_id = $1', [incidentId])
      ).rows.map((r) => [r.state, r.id as string]),
    );
    const kz = admin.as(await admin.createKey('analyst', 'KZ'));
    const byAnalyst = admin.as(await admin.createKey('analyst', 'BY'));
    expect((await kz.post(`/api/v1/incidents/${incidentId}/acknowledgements`)).status).toBe(200);

    await waitFor(
      () => dispatch(env.db, ids.BY),
      (d) => d.level === 1,
      'level 1',
    );
    expect((await byAnalyst.post(`/api/v1/incidents/${incidentId}/acknowledgements`)).status).toBe(
      200,
    );
    await twoMorePeriods(env.db);
    expect(await dispatch(env.db, ids.BY)).toEqual({ level: 1, deadline: null });
    expect(await dispatch(env.db, ids.KZ)).toEqual({ level: 0, deadline: null });
    const { timeline, outbox } = await escalatedRows(env.db, incidentId);
    expect(timeline.map((t) => t.data)).toEqual([{ state: 'BY', level: 1 }]);
    expect(outbox.map((o) => o.party).sort()).toEqual(['BY', 'CCC']);
    const view = await coordinator.get(`/api/v1/incidents/${incidentId}`);
    expect(
      view.body.dispatches.map((d: any) => [d.state, d.status, d.escalationLevel]).sort(),
    ).toEqual([
      ['BY', 'acknowledged', 1],
      ['KZ', 'acknowledged', 0],
    ]);
  });

  it('does not escalate incidents that are closed, rejected or duplicates', async () => {
    const filed = await Promise.all(
      ['closed', 'rejected', 'duplicate', 'resolved'].map((status) =>
        fileIncident(env.db, ['RU'], { status, deadlineSeconds: 0 }),
      ),
    );
    for (const f of filed) {
      await waitFor(
        () => dispatch(env.db, f.dispatches.RU),
        (d) => d.deadline === null,
        'deadline cleared',
      );
      expect((await dispatch(env.db, f.dispatches.RU)).level).toBe(0);
      expect((await escalatedRows(env.db, f.incidentId)).outbox).toEqual([]);
    }
  });

  it('still escalates when the queue keys are deleted from Redis', async () => {
    const filed = await fileIncident(env.db, ['KG'], { deadlineSeconds: 4 });
    const id = filed.dispatches.KG;
    const jobKey = `{${env.queuePrefix}}:escalations:escalate:${id}:0`;
    await waitFor(
      () => env.redis.exists(jobKey),
      (n) => n === 1,
      'the delayed job',
    );
    expect(await deleteRedisKeys(env.redis, `{${env.queuePrefix}}*`)).toBeGreaterThan(0);
    expect(await env.redis.exists(jobKey)).toBe(0);
    expect((await dispatch(env.db, id)).level).toBe(0); // deleted before it fired

    await waitFor(
      () => dispatch(env.db, id),
      (d) => d.level === 1,
      'level 1 after the flush',
    );
    await waitFor(
      () => dispatch(env.db, id),
      (d) => d.level === 2,
      'level 2 after the flush',
    );
    const { timeline, audit } = await escalatedRows(env.db, filed.incidentId);
    expect(timeline.map((t) => t.data.level)).toEqual([1, 2]);
    expect(audit).toHaveLength(2);
  });

  it('resumes deadlines that passed while the service was down', async () => {
    await service.stop();
    const filed = await fileIncident(env.db, ['AM', 'TJ'], { deadlineSeconds: 1 });
    // Restart only once both deadlines have passed while nothing ran.
    await waitFor(
      async () =>
        (
          await env.db.query(
            'SELECT bool_and(ack_deadline < now()) AS passed FROM dispatches WHERE incident_id = $1',
            [filed.incidentId],
          )
        ).rows[0].passed as boolean,
      (passed) => passed,
      'both deadlines to pass',
    );
    service = await startService(env, { env: ESCALATION_ENV });
    admin = new Api(service.url);
    for (const state of ['AM', 'TJ']) {
      await waitFor(
        () => dispatch(env.db, filed.dispatches[state]),
        (d) => d.level >= 1,
        `${state} escalated after the restart`,
      );
    }
  });

  it('escalates each dispatch exactly once with three instances on one database', async () => {
    // A second worker on the same queue, and a third on its own queue prefix: its jobs
    // fire too, and only the conditional UPDATE in PostgreSQL keeps them apart.
    extra.push(await startService(env, { env: ESCALATION_ENV, role: 'worker' }));
    extra.push(
      await startService(env, {
        env: { ...ESCALATION_ENV, CCC_QUEUE_PREFIX: otherPrefix() },
        role: 'worker',
      }),
    );
    // The workers listen before anything is due: two on this prefix, one on the other.
    const listening = async (prefix: string) => {
      const queue = new Queue(QueueName.Escalations, {
        connection: env.redis,
        prefix: `{${prefix}}`,
      });
      try {
        return await queue.getWorkersCount();
      } finally {
        await queue.close();
      }
    };
    await waitFor(
      async () => [await listening(env.queuePrefix), await listening(otherPrefix())],
      ([here, other]) => here >= 2 && other >= 1,
      'three escalation workers',
    );
    const filed = await Promise.all(
      Array.from({ length: 15 }, () => fileIncident(env.db, ['BY', 'RU'], { deadlineSeconds: 2 })),
    );
    const ids = filed.flatMap((f) => Object.values(f.dispatches));
    await waitFor(
      async () =>
        (
          await env.db.query(
            'SELECT count(*)::int AS n FROM dispatches WHERE id = ANY($1) AND escalation_level = 2',
            [ids],
          )
        ).rows[0].n,
      (n) => n === ids.length,
      'every dispatch at level 2',
      40_000,
    );
    await twoMorePeriods(env.db); // any duplicate that would happen has had its chance
    const incidents = filed.map((f) => f.incidentId);
    const counts = await env.db.query(
      `SELECT (SELECT count(*)::int FROM timeline_events
                WHERE incident_id = ANY($1) AND type = 'escalated') AS timeline,
              (SELECT count(*)::int FROM outbox
                WHERE incident_id = ANY($1) AND type = 'incident.escalated') AS outbox,
              (SELECT count(*)::int FROM audit_log
                WHERE target_id = ANY($2) AND action = 'incident.escalated') AS audit`,
      [incidents, incidents],
    );
    expect(counts.rows[0]).toEqual({
      timeline: ids.length * 2,
      outbox: ids.length * 2 * 2,
      audit: ids.length * 2,
    });
    const perDispatch = await env.db.query(
      `SELECT incident_id, data->>'state' AS state, array_agg((data->>'level')::int ORDER BY at) AS levels
         FROM timeline_events WHERE incident_id = ANY($1) AND type = 'escalated'
        GROUP BY 1, 2`,
      [incidents],
    );
    expect(perDispatch.rows).toHaveLength(ids.length);
    for (const row of perDispatch.rows) expect(row.levels).toEqual([1, 2]);

    const verify = await admin.get('/api/v1/audit/verify');
    expect(verify.body).toMatchObject({ valid: true });
  });
});
