import { execFileSync } from 'node:child_process';
import { Api } from './support/api.js';
import { LocalRedisSentinel } from './support/local-redis.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { Endpoint, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The service through Redis Sentinel (CCC_REDIS_SENTINEL_NAME): it finds the primary by
 * asking the Sentinel, and after a failover it follows the promoted replica, so queued
 * work keeps flowing.
 */
describe('Redis Sentinel', () => {
  let env: TestEnv;
  let redis: LocalRedisSentinel;
  let receiver: WebhookReceiver;
  let service: Service;
  let kz: Endpoint;
  let analyst: Api;

  beforeAll(async () => {
    env = await createTestEnv('redis_sentinel');
    redis = await LocalRedisSentinel.start();
    receiver = await WebhookReceiver.start();
    service = await startService(env, {
      env: { REDIS_URL: redis.url, CCC_REDIS_SENTINEL_NAME: LocalRedisSentinel.NAME },
      timeoutMs: 60_000,
    });
    const admin = new Api(service.url);
    kz = receiver.endpoint();
    await setContacts(admin, 'KZ', [{ type: 'webhook', url: kz.url, secret: kz.secret }]);
    analyst = new Api(service.url, await admin.createKey('analyst', 'BY'));
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await redis?.stop();
    await env?.cleanup();
  });

  async function fileAndDeliver(from: number, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = from; n < from + count; n++) {
      const res = await analyst.post('/api/v1/incidents', {
        title: `Sentinel ${n}`,
        category: 'fraud/phishing',
        severity: 'high',
        tlp: 'TLP:GREEN',
        sector: 'energy',
        affectedStates: ['KZ'],
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await eventually(
      () => {
        const got = new Set(kz.requests.map((r) => r.json?.data?.incident?.id));
        return ids.every((id) => got.has(id));
      },
      `webhooks for incidents ${from}..${from + count - 1}`,
    );
    return ids;
  }

  it('queues on the primary the Sentinel names, and follows it through a failover', async () => {
    const prefix = `{${env.queuePrefix}}`;
    const before = await fileAndDeliver(0, 5);
    expect(await redis.currentPrimary()).toBe(redis.primaryPort);

    await redis.failover();
    expect(await redis.currentPrimary()).toBe(redis.replicaPort);
    await eventually(
      async () => (await new Api(service.url, '').get('/health/ready')).status === 200,
      'ready after the failover',
    );
    const after = await fileAndDeliver(5, 5);

    // Each incident delivered once, signed; the queue now lives on the promoted replica.
    const routed = kz.requests.filter((r) => r.json?.type === 'incident.routed');
    expect(routed).toHaveLength(before.length + after.length);
    expect(new Set(routed.map((r) => r.webhookId)).size).toBe(routed.length);
    expect(routed.every((r) => r.verified)).toBe(true);
    // The deliveries made after the failover ran as jobs of the promoted primary: its queue
    // event stream (written only by the primary the workers use) names each of them.
    const { rows } = await env.db.query(
      'SELECT id FROM deliveries WHERE incident_id = ANY($1::uuid[])',
      [after],
    );
    expect(rows).toHaveLength(after.length);
    const events = execFileSync('redis-cli', [
      ...['-p', String(redis.replicaPort), 'xrange', `${prefix}:notifications:events`, '-', '+'],
    ]).toString();
    for (const { id } of rows) expect(events).toContain(`deliver:${id}:`);
  });
});
