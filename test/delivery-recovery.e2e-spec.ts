import { Api } from './support/api.js';
import {
  createTestEnv,
  deleteRedisKeys,
  Service,
  startService,
  TestEnv,
} from './support/service.js';
import {
  emitEvent,
  eventually,
  ReceivedWebhook,
  Reply,
  setContacts,
  WebhookReceiver,
} from './support/webhook-receiver.js';

/** Nothing is lost: several instances, a Redis that forgot everything, a killed process. */
describe('Delivery recovery', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await createTestEnv('delivery_recovery');
    receiver = await WebhookReceiver.start();
    service = await startService(env);
    admin = new Api(service.url);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  const allDelivered = (eventIds: string[], timeoutMs = 60_000) =>
    eventually(
      async () => {
        const { rows } = await env.db.query(
          `SELECT id, status FROM deliveries WHERE event_id = ANY($1::uuid[])`,
          [eventIds],
        );
        return rows.length === eventIds.length && rows.every((r) => r.status === 'delivered')
          ? (rows as { id: string }[])
          : null;
      },
      `${eventIds.length} deliveries`,
      timeoutMs,
    );

  const byWebhookId = (requests: ReceivedWebhook[]) => {
    const map = new Map<string, ReceivedWebhook[]>();
    for (const r of requests) map.set(r.webhookId, [...(map.get(r.webhookId) ?? []), r]);
    return map;
  };

  const emitMany = async (party: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(await emitEvent(env.db, { type: 'incident.updated', party }));
    return ids;
  };

  it('relays and delivers each event exactly once with two instances competing', async () => {
    const endpoint = receiver.endpoint();
    await setContacts(admin, 'AM', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const second = await startService(env, { role: 'worker', waitReady: false });
    try {
      // Give the second instance time to subscribe, then emit from a burst of commits.
      await eventually(
        async () =>
          (
            await env.db.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = $1 AND application_name = 'ccc-outbox-listener'`,
              [env.databaseName],
            )
          ).rows[0].n === 2,
        'two outbox listeners',
      );
      const events = await emitMany('AM', 40);
      const deliveries = await allDelivered(events);
      const requests = byWebhookId(endpoint.requests);
      expect(requests.size).toBe(40);
      for (const d of deliveries) expect(requests.get(d.id)).toHaveLength(1);
      expect(endpoint.requests.every((r) => r.verified)).toBe(true);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('still delivers what was pending after the queue keys were deleted from Redis', async () => {
    const busy: Reply = { status: 503, headers: { 'retry-after': '3' } };
    const endpoint = receiver.endpoint({ replies: Array.from({ length: 5 }, () => busy) });
    await setContacts(admin, 'BY', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const events = await emitMany('BY', 5);
    // Every delivery has had its 503 and waits in a delayed job.
    await eventually(async () => {
      const { rows } = await env.db.query(
        `SELECT count(*)::int AS n FROM deliveries WHERE event_id = ANY($1::uuid[]) AND attempts = 1`,
        [events],
      );
      return rows[0].n === 5;
    }, 'five first attempts');
    const deleted = await deleteRedisKeys(env.redis, `{${env.queuePrefix}}*`);
    expect(deleted).toBeGreaterThan(0);

    // A new event after the flush goes through the emptied queue at once.
    const later = await emitMany('BY', 1);
    const deliveries = await allDelivered([...events, ...later]);
    const requests = byWebhookId(endpoint.requests);
    for (const d of deliveries) {
      const got = requests.get(d.id)!;
      expect(got.at(-1)!.status).toBe(200);
      expect(got.at(-1)!.verified).toBe(true);
    }
  }, 90_000);

  it('resumes after SIGKILL: in-flight, waiting and not-yet-relayed deliveries all arrive', async () => {
    const busy: Reply = { status: 503, headers: { 'retry-after': '2' } };
    const hanging = receiver.endpoint({ replies: [{ status: 200, delayMs: 5_000 }] });
    const endpoint = receiver.endpoint({ replies: Array.from({ length: 4 }, () => busy) });
    await setContacts(admin, 'KZ', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    await setContacts(admin, 'KG', [{ type: 'webhook', url: hanging.url, secret: hanging.secret }]);
    const waiting = await emitMany('KZ', 4);
    const inFlight = await emitMany('KG', 1);
    await eventually(
      () => endpoint.requests.length >= 4 && hanging.requests.length === 1,
      'first attempts under way',
    );
    await service.kill();

    // Written while no relay runs, and a Redis that lost everything meanwhile.
    const unrelayed = await emitMany('KZ', 3);
    await deleteRedisKeys(env.redis, `{${env.queuePrefix}}*`);
    service = await startService(env);
    admin = new Api(service.url);

    const deliveries = await allDelivered([...waiting, ...inFlight, ...unrelayed], 75_000);
    const requests = byWebhookId([...endpoint.requests, ...hanging.requests]);
    for (const d of deliveries) {
      const got = requests.get(d.id)!;
      expect(got.at(-1)!.status).toBe(200);
      expect(got.at(-1)!.verified).toBe(true);
    }
    // The attempt cut short by the kill was made again under the same webhook-id.
    expect(hanging.requests).toHaveLength(2);
    expect(hanging.requests[1].webhookId).toBe(hanging.requests[0].webhookId);
  }, 120_000);
});
