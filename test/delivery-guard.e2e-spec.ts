import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { emitEvent, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

/** Production settings: private webhook targets refused, no SMTP server configured. */
describe('Delivery guards', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await createTestEnv('delivery_guard');
    receiver = await WebhookReceiver.start();
    service = await startService(env, { env: { CCC_WEBHOOK_ALLOW_PRIVATE: 'false' } });
    admin = new Api(service.url);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  const settledDeliveries = (eventId: string, count: number) =>
    eventually(async () => {
      const { rows } = await env.db.query(
        'SELECT d.*, c.url FROM deliveries d JOIN contacts c ON c.id = d.contact_id WHERE event_id = $1',
        [eventId],
      );
      return rows.length === count && rows.every((r) => r.status !== 'pending') ? rows : null;
    }, `${count} settled deliveries`);

  it('refuses loopback targets after resolving them, IPv4-mapped IPv6 included', async () => {
    const port = new URL(receiver.baseUrl).port;
    const targets = [
      `http://127.0.0.1:${port}/a`,
      `http://[::ffff:127.0.0.1]:${port}/b`,
      `http://localhost:${port}/c`,
      `http://[::1]:${port}/d`,
    ];
    const endpoint = receiver.endpoint();
    await setContacts(
      admin,
      'BY',
      targets.map((url) => ({ type: 'webhook' as const, url, secret: endpoint.secret })),
    );
    const eventId = await emitEvent(env.db, { type: 'incident.routed', party: 'BY' });

    const rows = await settledDeliveries(eventId, targets.length);
    for (const row of rows) {
      expect(row.status).toBe('failed');
      expect(row.last_error).toMatch(/^SSRF guard: .*loopback/);
      expect(row.last_status_code).toBeNull();
    }
    expect(rows.find((r) => r.url.includes('[::ffff:7f00:1]')).last_error).toContain('loopback');
    expect(receiver.requests).toHaveLength(0);

    const failed = await admin.get('/api/v1/deliveries?status=failed&party=BY');
    expect(failed.body.items).toHaveLength(targets.length);
  }, 60_000);

  it('fails an e-mail delivery with a clear error when SMTP_URL is not set', async () => {
    await setContacts(admin, 'KZ', [{ type: 'email', address: 'soc@cert.kz' }]);
    const eventId = await emitEvent(env.db, { type: 'incident.routed', party: 'KZ' });
    const [row] = await settledDeliveries(eventId, 1);
    expect(row.status).toBe('failed');
    expect(row.last_error).toBe('SMTP_URL is not configured: e-mail contacts cannot be delivered');
  }, 60_000);
});
