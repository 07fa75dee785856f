import { connect, Socket } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../src/queues/queues.js';
import { Api } from './support/api.js';
import { createTestEnv, REDIS_URL, Service, startService, TestEnv } from './support/service.js';
import { Endpoint, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

const CLIENTS = 6;
const AFFECTED = ['KZ', 'BY'];
/** Signs of work cut off by a pool or client closed too early. */
const TEARDOWN_ERRORS =
  /pool after calling end|Connection terminated|Driver not Connected|Connection is closed|DataSource is not initialized|socket hang up|ECONNRESET/i;

interface Outcome {
  status: number;
  body: any;
}

/**
 * SIGTERM while clients file incidents and slow webhooks are in flight: every request
 * that is answered is answered in full, nothing accepted is lost, no attempt is cut off,
 * the process exits 0, and after a restart every dispatch is delivered with no job left
 * active, stalled or failed.
 */
describe('Graceful shutdown under load', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let connection: Redis;
  const endpoints = new Map<string, Endpoint>();

  beforeAll(async () => {
    env = await createTestEnv('shutdown');
    receiver = await WebhookReceiver.start();
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    service = await startService(env);
    const admin = new Api(service.url);
    for (const party of [...AFFECTED, 'CCC']) {
      const endpoint = receiver.endpoint({ fallback: { status: 200, delayMs: 300 } });
      endpoints.set(party, endpoint);
      await setContacts(admin, party, [
        { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    connection?.disconnect();
    await env?.cleanup();
  });

  it('drains HTTP and jobs on SIGTERM, exits 0, and loses nothing', async () => {
    const admin = new Api(service.url);
    const reporter = admin.as(await admin.createKey('analyst', 'AM'));
    const outcomes: Outcome[] = [];
    let refused = 0;
    let down = false;
    const client = async (n: number) => {
      for (let i = 0; !down; i++) {
        try {
          const res = await reporter.post('/api/v1/incidents', {
            title: `Shutdown test ${n}-${i}`,
            category: 'fraud/phishing',
            severity: 'high',
            tlp: 'TLP:GREEN',
            sector: 'finance',
            affectedStates: AFFECTED,
          });
          outcomes.push({ status: res.status, body: res.body });
        } catch {
          // Refused or reset once the server stopped listening: allowed.
          refused++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

    // Deliveries are flowing (and, at 300 ms a response, some are in flight).
    await eventually(
      () => outcomes.length >= 40 && endpoints.get('KZ')!.requests.length >= 10,
      'intake and deliveries under way',
    );
    const exit = service.stop();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<string>((r) => (timer = setTimeout(() => r('still running after 30 s'), 30_000))),
    ]);
    clearTimeout(timer);
    down = true;
    await Promise.all(clients);

    expect(code).toBe(0);
    expect(service.logs()).not.toMatch(TEARDOWN_ERRORS);
    expect(refused).toBeGreaterThan(0); // the clients did run into the stopped server
    const answered = outcomes.filter((o) => o.status !== 201);
    expect(answered.map((o) => o.status)).toEqual([]);
    for (const o of outcomes) {
      expect(o.body).toMatchObject({ id: expect.any(String), reference: expect.any(String) });
      expect(o.body.routing.dispatchedTo).toEqual(expect.arrayContaining(AFFECTED));
    }
    const ids = outcomes.map((o) => o.body.id as string);
    const stored = await env.db.query(
      'SELECT count(*)::int AS n FROM incidents WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(stored.rows[0].n).toBe(ids.length);

    // No attempt was cut off mid-send: every one so far is a recorded 200.
    const cut = await env.db.query(
      `SELECT count(*)::int AS n FROM delivery_attempts WHERE error IS NOT NULL`,
    );
    expect(cut.rows[0].n).toBe(0);

    // Some work was still waiting at the stop, so the restart below has something to resume.
    const left = await env.db.query(
      `SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending')::int
            + (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS n`,
    );
    expect(left.rows[0].n).toBeGreaterThan(0);

    // Restart: whatever was left pending or unpublished is delivered.
    service = await startService(env);
    const all = await env.db.query<{ id: string }>('SELECT id FROM incidents');
    const expected = all.rows.map((r) => r.id);
    expect(expected.length).toBeGreaterThanOrEqual(ids.length);
    const routedTo = (party: string) =>
      new Set(
        endpoints
          .get(party)!
          .requests.filter((r) => r.verified && r.json?.type === 'incident.routed')
          .map((r) => r.json.data.incident.id as string),
      );
    await eventually(
      () => AFFECTED.every((s) => expected.every((id) => routedTo(s).has(id))),
      `${expected.length * AFFECTED.length} routed webhooks`,
      60_000,
    );
    await eventually(async () => {
      const { rows } = await env.db.query(
        `SELECT (SELECT count(*) FROM dispatches WHERE status <> 'notified')::int AS dispatches,
                (SELECT count(*) FROM deliveries WHERE status <> 'delivered')::int AS deliveries,
                (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS outbox`,
      );
      const r = rows[0];
      return r.dispatches + r.deliveries + r.outbox === 0;
    }, 'every dispatch notified and every delivery delivered');

    // Each delivery reached its endpoint once: nothing was sent twice across the restart.
    const webhookIds = receiver.requests.map((r) => r.webhookId);
    expect(new Set(webhookIds).size).toBe(webhookIds.length);
    const delivered = await env.db.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'`,
    );
    expect(webhookIds.length).toBe(delivered.rows[0].n);

    // BullMQ: nothing active, stalled or failed once the restarted service settled.
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, { connection, prefix: `{${env.queuePrefix}}` });
      try {
        const counts = await eventually(async () => {
          const c = await queue.getJobCounts('active', 'waiting', 'failed');
          return c.active === 0 && c.waiting === 0 ? c : null;
        }, `the ${name} queue to settle`);
        expect(counts.failed).toBe(0);
        expect(await connection.scard(`{${env.queuePrefix}}:${name}:stalled`)).toBe(0);
      } finally {
        await queue.close();
      }
    }
  }, 150_000);

  it('closes connections that are silent or idle between requests, so the drain ends', async () => {
    const own = await startService(env, { role: 'api' });
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(own.port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });
    // One connection that never sends a request, one kept alive after its answer.
    const silent = await open();
    const idle = await open();
    const answered = new Promise<string>((resolve) => {
      let text = '';
      idle.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    idle.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    const closed = (socket: Socket) => new Promise<void>((r) => socket.once('close', () => r()));
    const bothClosed = Promise.all([closed(silent), closed(idle)]);

    // Node's own close would leave both open until the keep-alive timeout (72 s).
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      own.stop(),
      new Promise<string>((r) => (timer = setTimeout(() => r('still running after 30 s'), 30_000))),
    ]);
    clearTimeout(timer);
    if (code !== 0) await own.kill();
    expect(code).toBe(0);
    await bothClosed;
  }, 60_000);
});
