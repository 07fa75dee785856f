import { MEMBER_STATES } from '../src/vocabulary/member-states.js';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { Endpoint, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

const CLIENTS = 8;

interface Accepted {
  id: string;
  reference: string;
  dispatchedTo: string[];
}

/**
 * The proof that nothing is lost: concurrent clients file incidents, the service is
 * killed with SIGKILL mid-load and restarted; every incident answered 201 exists and
 * every dispatch reaches its state's webhook, correctly signed.
 */
describe('Notifications survive a crash', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  const endpoints = new Map<string, Endpoint>();

  beforeAll(async () => {
    env = await createTestEnv('notify_crash');
    receiver = await WebhookReceiver.start();
    service = await startService(env);
    const admin = new Api(service.url);
    for (const state of MEMBER_STATES) {
      // Each endpoint is slow, and refuses its first requests, so work is pending at the kill.
      const endpoint = receiver.endpoint({
        replies: [503, 500, 503],
        fallback: { status: 200, delayMs: 20 },
      });
      endpoints.set(state, endpoint);
      await setContacts(admin, state, [
        { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  it('delivers every dispatch of every accepted incident after SIGKILL and restart', async () => {
    const admin = new Api(service.url);
    const reporters = MEMBER_STATES.slice(0, 3);
    const keys = new Map<string, string>();
    for (const state of reporters) keys.set(state, await admin.createKey('analyst', state));

    const accepted: Accepted[] = [];
    let failures = 0;
    let stop = false;
    const client = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const reporter = reporters[(n + i) % reporters.length];
        const others = MEMBER_STATES.filter((s) => s !== reporter);
        const affected = [others[(n + i) % others.length], others[(n + i + 2) % others.length]];
        try {
          const res = await admin.as(keys.get(reporter)!).post('/api/v1/incidents', {
            title: `Crash test ${n}-${i}`,
            category: 'fraud/phishing',
            severity: 'high',
            tlp: 'TLP:GREEN',
            sector: 'finance',
            affectedStates: affected,
          });
          if (res.status === 201) {
            accepted.push({
              id: res.body.id,
              reference: res.body.reference,
              dispatchedTo: res.body.routing.dispatchedTo,
            });
          } else {
            failures++;
          }
        } catch {
          // The service is down: keep trying until told to stop.
          failures++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

    await eventually(() => accepted.length >= 60, '60 accepted incidents');
    await service.kill();
    const atKill = accepted.length;
    const failedAtKill = failures;
    await eventually(() => failures >= failedAtKill + CLIENTS, 'the clients to find it gone');
    stop = true;
    await Promise.all(clients);
    expect(failures).toBeGreaterThan(0); // the clients did see the service die
    expect(accepted.length).toBe(atKill); // nothing was accepted by a dead process

    // What was queued or pending at the kill is still undelivered now.
    const pendingAtKill = await env.db.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE status = 'pending'`,
    );
    const unpublished = await env.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
    );
    expect(pendingAtKill.rows[0].n + unpublished.rows[0].n).toBeGreaterThan(0);

    service = await startService(env);
    const restarted = new Api(service.url);

    for (const incident of accepted) {
      const res = await restarted.get(`/api/v1/incidents/${incident.id}`);
      expect(res.status).toBe(200);
      expect(res.body.reference).toBe(incident.reference);
      expect(incident.dispatchedTo).toHaveLength(2);
    }

    const expected = accepted.flatMap((i) => i.dispatchedTo.map((state) => ({ ...i, state })));
    const arrived = (state: string, incidentId: string) =>
      endpoints
        .get(state)!
        .requests.some(
          (r) =>
            r.status === 200 &&
            r.verified &&
            r.json?.type === 'incident.routed' &&
            r.json?.data?.incident?.id === incidentId,
        );
    await eventually(
      () => expected.every((e) => arrived(e.state, e.id)),
      `${expected.length} signed webhooks`,
      90_000,
    );

    // An attempt cut short by the kill arrived but was not recorded: it is made again
    // once its lease runs out, and only then is the dispatch marked notified.
    await eventually(
      async () =>
        (
          await env.db.query(
            `SELECT count(*)::int AS n FROM dispatches
             WHERE incident_id = ANY($1::uuid[]) AND status = 'pending'`,
            [accepted.map((i) => i.id)],
          )
        ).rows[0].n === 0,
      'every dispatch notified',
      90_000,
    );
    const undelivered = await env.db.query(
      `SELECT count(*)::int AS n FROM deliveries
       WHERE incident_id = ANY($1::uuid[]) AND status <> 'delivered'`,
      [accepted.map((i) => i.id)],
    );
    expect(undelivered.rows[0].n).toBe(0);
  }, 180_000);
});
