import { Api } from './support/api.js';
import { LocalRedisCluster } from './support/local-redis.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { Endpoint, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

const INCIDENTS = 10;

/**
 * The service on a real three-master Redis Cluster (CCC_REDIS_CLUSTER): an API and a worker
 * process queue, deliver, escalate and rate-limit through it, and every key of the
 * deployment sits in the one slot of its `{prefix}` hash tag.
 */
describe('Redis Cluster', () => {
  let env: TestEnv;
  let cluster: LocalRedisCluster;
  let receiver: WebhookReceiver;
  let api: Service;
  let worker: Service;
  const endpoints = new Map<string, Endpoint>();

  beforeAll(async () => {
    env = await createTestEnv('redis_cluster');
    cluster = await LocalRedisCluster.start();
    receiver = await WebhookReceiver.start();
    const shared = {
      REDIS_URL: cluster.url,
      CCC_REDIS_CLUSTER: 'true',
      CCC_SLA_ACK_SECONDS: 'critical=2,high=2,medium=2,low=2',
      CCC_ESCALATION_MAX_LEVEL: '1',
      CCC_RATE_LIMIT_PER_MINUTE: '40',
    };
    api = await startService(env, { role: 'api', env: shared, timeoutMs: 60_000 });
    const admin = new Api(api.url);
    for (const party of ['KZ', 'CCC']) {
      const endpoint = receiver.endpoint();
      endpoints.set(party, endpoint);
      await setContacts(admin, party, [
        { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
      ]);
    }
    worker = await startService(env, { role: 'worker', env: shared, timeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await receiver?.close();
    await cluster?.stop();
    await env?.cleanup();
  });

  it('queues, delivers, escalates and rate-limits through the cluster, in one slot', async () => {
    expect((await new Api(api.url, '').get('/health/ready')).status).toBe(200);

    const key = await new Api(api.url).createKey('analyst', 'BY');
    const analyst = new Api(api.url, key);
    const ids: string[] = [];
    for (let n = 0; n < INCIDENTS; n++) {
      const res = await analyst.post('/api/v1/incidents', {
        title: `Cluster ${n}`,
        category: 'fraud/phishing',
        severity: 'high',
        tlp: 'TLP:GREEN',
        sector: 'energy',
        affectedStates: ['KZ'],
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    // One signed webhook per incident at KZ, through the delivery queue on the cluster.
    const kz = endpoints.get('KZ')!;
    const routed = await eventually(() => {
      const got = kz.requests.filter((r) => r.json?.type === 'incident.routed');
      return got.length >= INCIDENTS ? got : null;
    }, `${INCIDENTS} routed webhooks`);
    expect(new Set(routed.map((r) => r.json.data.incident.id))).toEqual(new Set(ids));
    expect(new Set(routed.map((r) => r.webhookId)).size).toBe(INCIDENTS);
    expect(routed.every((r) => r.verified)).toBe(true);

    // Each dispatch escalates once (delayed jobs and the scheduler's lease on the cluster).
    await eventually(
      async () => {
        const { rows } = await env.db.query(
          'SELECT count(*)::int AS n FROM dispatches WHERE escalation_level = 1 AND incident_id = ANY($1::uuid[])',
          [ids],
        );
        return rows[0].n === INCIDENTS;
      },
      `${INCIDENTS} escalations`,
      30_000,
    );

    // The rate limit counts in the cluster: 40 per minute for this key, 10 used above.
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await analyst.get('/api/v1/incidents')).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(30)).toContain(429);

    // Every key of the deployment is in its hash tag's slot, on one node.
    const prefix = `{${env.queuePrefix}}`;
    const { keys } = await cluster.keysOnOwner(`${prefix}:x`, `${prefix}*`);
    expect(keys.some((k) => k.startsWith(`${prefix}:notifications:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}:escalations:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}:ratelimit:`))).toBe(true);
    expect(keys).toContain(`${prefix}:escalation:scheduler-lease`);
  });
});
