import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../src/queues/queues.js';
import { Api } from './support/api.js';
import { createTestEnv, REDIS_URL, Service, startService, TestEnv } from './support/service.js';
import { afterMoreRuns } from './support/wait-for.js';
import {
  Endpoint,
  eventually,
  ReceivedWebhook,
  setContacts,
  WebhookReceiver,
} from './support/webhook-receiver.js';

const SHARED_ENV = {
  CCC_SLA_ACK_SECONDS: 'critical=2,high=2,medium=2,low=2',
  CCC_ESCALATION_MAX_LEVEL: '1',
  CCC_REPORT_WEEKLY_CRON: '* * * * * *',
};
/** States with a webhook; RU is dispatched to but has none (only CCC hears of its escalations). */
const WITH_CONTACTS = ['KZ', 'BY', 'TJ'];
const TARGETS = [...WITH_CONTACTS, 'RU'];
const INCIDENTS = 40;
const CONCURRENCY = 8;
const DAY = 24 * 3600 * 1000;

/** The previous ISO week, worked out here independently of src/reports/report-periods.ts. */
function previousWeek(now: Date): [string, string] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((now.getUTCDay() + 6) % 7) * DAY;
  return [new Date(monday - 7 * DAY).toISOString(), new Date(monday).toISOString()];
}

/** Sum of a counter's samples in a Prometheus text exposition, filtered by labels. */
function sumOf(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Two API processes and two worker processes on one database and one queue prefix:
 * every dispatch is delivered once, every escalation happens once, and the weekly report
 * both workers' schedules keep firing is made and published once.
 */
describe('Scale-out: two API and two worker processes', () => {
  let env: TestEnv;
  let receiver: WebhookReceiver;
  let connection: Redis;
  let apis: Service[] = [];
  let workers: Service[] = [];
  const endpoints = new Map<string, Endpoint>();

  beforeAll(async () => {
    env = await createTestEnv('scale_out');
    receiver = await WebhookReceiver.start();
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    // Both APIs at once: they race for the migration lock on an empty database.
    apis = await Promise.all(
      [0, 1].map(() => startService(env, { role: 'api', env: SHARED_ENV, timeoutMs: 60_000 })),
    );
    // Contacts before any worker runs, so the scheduled report is published to them.
    const admin = new Api(apis[0].url);
    for (const party of [...WITH_CONTACTS, 'CCC']) {
      const endpoint = receiver.endpoint();
      endpoints.set(party, endpoint);
      await setContacts(admin, party, [
        { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
      ]);
    }
    workers = await Promise.all(
      [0, 1].map(() => startService(env, { role: 'worker', env: SHARED_ENV, timeoutMs: 60_000 })),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((s) => s.stop()));
    await receiver?.close();
    connection?.disconnect();
    await env?.cleanup();
  });

  it('delivers each dispatch once, escalates each once and publishes one weekly report', async () => {
    const admin = new Api(apis[0].url);
    const key = await admin.createKey('analyst', 'AM');
    const reporters = apis.map((api) => new Api(api.url, key));

    // File concurrently through both APIs.
    const filed: { id: string; dispatchedTo: string[]; api: number }[] = [];
    let next = 0;
    const client = async () => {
      while (next < INCIDENTS) {
        const n = next++;
        const affected = [TARGETS[n % 4], TARGETS[(n + 1 + (n % 3)) % 4]];
        const res = await reporters[n % 2].post('/api/v1/incidents', {
          title: `Scale-out ${n}`,
          category: 'fraud/phishing',
          severity: 'high',
          tlp: 'TLP:GREEN',
          sector: 'finance',
          affectedStates: [...new Set(affected)],
        });
        expect(res.status).toBe(201);
        filed.push({ id: res.body.id, dispatchedTo: res.body.routing.dispatchedTo, api: n % 2 });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    expect(filed.filter((f) => f.api === 0)).toHaveLength(INCIDENTS / 2);
    const dispatches = filed.flatMap((f) => f.dispatchedTo.map((state) => ({ id: f.id, state })));
    expect(dispatches.length).toBeGreaterThan(INCIDENTS);

    // Every dispatch escalates to level 1 (and no further: the maximum is 1).
    await eventually(
      async () => {
        const { rows } = await env.db.query(
          `SELECT count(*)::int AS n FROM dispatches WHERE escalation_level = 1`,
        );
        return rows[0].n === dispatches.length;
      },
      `${dispatches.length} escalations`,
      30_000,
    );

    // The weekly report for the previous ISO week, however often both workers fired it.
    const week = previousWeek(new Date());
    const report = await eventually(
      async () => {
        const { rows } = await env.db.query(
          `SELECT id, status, period_from, period_to FROM reports WHERE kind = 'weekly'`,
        );
        return rows.length === 1 && rows[0].status === 'ready' ? rows[0] : null;
      },
      'the weekly report',
      30_000,
    );
    expect([report.period_from.toISOString(), report.period_to.toISOString()]).toEqual(week);

    // Everything the outbox holds is delivered; then a few more seconds for any duplicate.
    await eventually(
      async () => {
        const { rows } = await env.db.query(
          `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int
                + (SELECT count(*) FROM deliveries WHERE status <> 'delivered')::int AS n`,
        );
        return rows[0].n === 0;
      },
      'every delivery delivered',
      30_000,
    );
    // Any duplicate a later relay or sweeper run would send has had its chance.
    await afterMoreRuns(
      [...apis, ...workers].map((s) => s.url),
      ['OutboxRelay', 'DeliverySweeper'],
    );

    // One delivery row per (event, contact), and one webhook per delivery row.
    const { rows: deliveries } = await env.db.query(
      `SELECT d.id, d.event, d.status, c.url FROM deliveries d JOIN contacts c ON c.id = d.contact_id`,
    );
    const { rows: dup } = await env.db.query(
      `SELECT count(*)::int AS n FROM (SELECT event_id, contact_id FROM deliveries
         GROUP BY 1, 2 HAVING count(*) > 1) x`,
    );
    expect(dup[0].n).toBe(0);
    const requests = receiver.requests;
    expect(requests.every((r) => r.verified && r.status === 200)).toBe(true);
    const webhookIds = requests.map((r) => r.webhookId);
    expect(new Set(webhookIds).size).toBe(webhookIds.length);
    expect(new Set(webhookIds)).toEqual(new Set(deliveries.map((d) => d.id)));
    for (const d of deliveries) {
      const request = requests.find((r) => r.webhookId === d.id)!;
      expect(`${receiver.baseUrl}${request.path}`).toBe(d.url);
    }

    const received = (party: string, type: string) =>
      endpoints.get(party)!.requests.filter((r) => r.json?.type === type);
    const countBy = (list: ReceivedWebhook[], key: (r: ReceivedWebhook) => string) => {
      const counts = new Map<string, number>();
      for (const r of list) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
      return counts;
    };

    // incident.routed: once per dispatch to a state with a contact, to nobody else.
    for (const party of WITH_CONTACTS) {
      const mine = dispatches.filter((d) => d.state === party).map((d) => d.id);
      const routed = countBy(received(party, 'incident.routed'), (r) => r.json.data.incident.id);
      expect([...routed.keys()].sort()).toEqual([...mine].sort());
      expect([...routed.values()].every((n) => n === 1)).toBe(true);
    }
    expect(received('CCC', 'incident.routed')).toHaveLength(0);

    // incident.escalated: once per dispatch to its state, and once per dispatch to CCC.
    const perDispatch = (r: ReceivedWebhook) =>
      `${r.json.data.incident.id}/${r.json.data.dispatch.state}`;
    const allDispatches = dispatches.map((d) => `${d.id}/${d.state}`).sort();
    const toCcc = countBy(received('CCC', 'incident.escalated'), perDispatch);
    expect([...toCcc.keys()].sort()).toEqual(allDispatches);
    expect([...toCcc.values()].every((n) => n === 1)).toBe(true);
    for (const party of WITH_CONTACTS) {
      const toState = countBy(received(party, 'incident.escalated'), perDispatch);
      const mine = dispatches.filter((d) => d.state === party).map((d) => `${d.id}/${d.state}`);
      expect([...toState.keys()].sort()).toEqual(mine.sort());
      expect([...toState.values()].every((n) => n === 1)).toBe(true);
    }
    // ... and in the database: one timeline entry and two outbox rows per dispatch.
    const { rows: timeline } = await env.db.query(
      `SELECT incident_id, data->>'state' AS state, count(*)::int AS n FROM timeline_events
        WHERE type = 'escalated' GROUP BY 1, 2`,
    );
    expect(timeline).toHaveLength(dispatches.length);
    expect(timeline.every((t) => t.n === 1)).toBe(true);
    const { rows: escalatedOutbox } = await env.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'incident.escalated'`,
    );
    expect(escalatedOutbox[0].n).toBe(2 * dispatches.length);

    // report.published: once per contact, for the one weekly report.
    for (const party of [...WITH_CONTACTS, 'CCC']) {
      const published = received(party, 'report.published').filter(
        (r) => r.json.data.report.kind === 'weekly',
      );
      expect(published.map((r) => r.json.data.report.id)).toEqual([report.id]);
    }
    const reports = new Queue(QueueName.Reports, {
      connection,
      prefix: `{${env.queuePrefix}}`,
    });
    try {
      const scheduler = await reports.getJobScheduler('report-weekly');
      expect(scheduler?.iterationCount ?? 0).toBeGreaterThan(3);
    } finally {
      await reports.close();
    }

    // The workers shared the deliveries, and each one's metrics listener shows its part.
    const perWorker = await Promise.all(
      workers.map(async (w) => {
        const res = await fetch(`${w.url}/metrics`);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text).toMatch(/^ccc_queue_jobs\{queue="notifications",state="active"\}/m);
        return sumOf(text, 'ccc_delivery_attempts_total', { outcome: 'delivered' });
      }),
    );
    expect(perWorker[0] + perWorker[1]).toBe(deliveries.length);
    expect(Math.min(...perWorker)).toBeGreaterThan(0);
    expect((await fetch(`${workers[0].url}/api/v1/incidents`)).status).toBe(404);

    // SIGTERM: both roles drain and exit 0.
    expect(await Promise.all([...apis, ...workers].map((s) => s.stop()))).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
