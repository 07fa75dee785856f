import { randomUUID } from 'node:crypto';
import { Api } from './support/api.js';
import { newDataKey, openSealed } from './support/sealed.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import {
  emitEvent,
  Endpoint,
  eventually,
  newSecret,
  setContacts,
  WebhookReceiver,
} from './support/webhook-receiver.js';

/** The first attempt is refused and the next one asked for 2 s later: the delivery waits. */
const REFUSE_ONCE = [{ status: 503, headers: { 'retry-after': '2' } }];

/**
 * Replacing a party's contacts keeps the rows (and ids) of the contacts that stay, so
 * deliveries already pending for them go on; only removed contacts lose theirs.
 */
describe('Contacts replacement and pending deliveries', () => {
  const dataKey = newDataKey();
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    env = await createTestEnv('contacts_replace');
    receiver = await WebhookReceiver.start();
    service = await startService(env, { env: { CCC_DATA_KEY: dataKey } });
    admin = new Api(service.url);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  const contactsOf = async (party: string) =>
    (
      await env.db.query(
        `SELECT id, position, type, url, address, secret FROM contacts
          WHERE party = $1 ORDER BY position`,
        [party],
      )
    ).rows;
  const deliveriesOf = async (eventId: string) =>
    (
      await env.db.query(
        `SELECT d.*, c.url FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id
          WHERE d.event_id = $1 ORDER BY c.url`,
        [eventId],
      )
    ).rows;
  const webhook = (e: Endpoint) => ({ type: 'webhook' as const, url: e.url, secret: e.secret });

  /** An event for `party`; resolves once each of its `count` deliveries made one attempt. */
  async function refusedEvent(party: string, count: number) {
    const eventId = await emitEvent(env.db, {
      type: 'incident.routed',
      party,
      incidentId: randomUUID(),
      data: { incident: { id: randomUUID(), reference: 'CCC-2026-000001' } },
    });
    await eventually(async () => {
      const rows = await deliveriesOf(eventId);
      return rows.length === count && rows.every((r) => r.attempts === 1 && r.status === 'pending');
    }, 'the first attempts to be refused');
    return eventId;
  }

  it('still delivers a pending delivery to a contact kept by a PUT of the same list plus one', async () => {
    const kept = receiver.endpoint({ replies: [...REFUSE_ONCE] });
    const added = receiver.endpoint();
    await setContacts(admin, 'KZ', [webhook(kept), { type: 'email', address: 'soc@cert.kz' }]);
    const before = await contactsOf('KZ');
    // E-mail deliveries fail at once here (no SMTP_URL): only the webhook stays pending.
    const eventId = await emitEvent(env.db, {
      type: 'incident.routed',
      party: 'KZ',
      incidentId: randomUUID(),
      data: { incident: { id: randomUUID(), reference: 'CCC-2026-000002' } },
    });
    const waiting = await eventually(async () => {
      const rows = await deliveriesOf(eventId);
      const hook = rows.find((r) => r.channel === 'webhook');
      return hook?.attempts === 1 && hook.status === 'pending' ? hook : null;
    }, 'the first webhook attempt to be refused');

    await setContacts(admin, 'KZ', [
      webhook(kept),
      { type: 'email', address: 'soc@cert.kz' },
      webhook(added),
    ]);
    const after = await contactsOf('KZ');
    expect(after.slice(0, 2).map((c) => c.id)).toEqual(before.map((c) => c.id));
    expect(after).toHaveLength(3);
    expect(after[2]).toMatchObject({ position: 2, url: added.url });

    const settled = await eventually(async () => {
      const { rows } = await env.db.query('SELECT * FROM deliveries WHERE id = $1', [waiting.id]);
      return rows[0]?.status !== 'pending' ? rows[0] : null;
    }, 'the pending webhook to settle');
    expect(settled).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
    expect(kept.requests.map((r) => [r.webhookId, r.verified, r.status])).toEqual([
      [waiting.id, true, 503],
      [waiting.id, true, 200],
    ]);
    // The event predates the added contact: it goes to nobody new.
    expect(added.requests).toHaveLength(0);
  });

  it('updates a changed secret and the order in place, and deletes only removed contacts', async () => {
    const first = receiver.endpoint();
    const second = receiver.endpoint({ replies: [...REFUSE_ONCE] });
    const dropped = receiver.endpoint({ replies: [...REFUSE_ONCE] });
    await setContacts(admin, 'BY', [webhook(first), webhook(second), webhook(dropped)]);
    const before = await contactsOf('BY');
    first.replies.push(...REFUSE_ONCE);
    const eventId = await refusedEvent('BY', 3);

    // New secret for `second`, the order reversed, `dropped` removed.
    second.secret = newSecret();
    await setContacts(admin, 'BY', [webhook(second), webhook(first)]);
    const after = await contactsOf('BY');
    // Stored sealed: the column holds no part of the secret, and opens to it.
    for (const e of [first, second]) expect(JSON.stringify(after)).not.toContain(e.secret.slice(6));
    const opened = after.map((c) => [c.id, c.position, openSealed(c.secret, dataKey)]);
    expect(opened).toEqual([
      [before[1].id, 0, second.secret],
      [before[0].id, 1, first.secret],
    ]);

    await eventually(async () => {
      const rows = await deliveriesOf(eventId);
      return rows.every((r) => r.status !== 'pending') ? rows : null;
    }, 'the deliveries to settle');
    const rows = await deliveriesOf(eventId);
    const status = (e: Endpoint) =>
      rows.find((r) => r.contact_id === before.find((c) => c.url === e.url)!.id)?.status;
    expect(status(first)).toBe('delivered');
    expect(status(second)).toBe('delivered');
    const gone = rows.find((r) => r.contact_id === before[2].id);
    expect(gone).toMatchObject({ status: 'failed' });
    expect(gone.last_error).toMatch(/no longer exists/);
    // The retry to `second` is signed with its new secret (checked on arrival).
    expect(second.requests.map((r) => [r.verified, r.status])).toEqual([
      [true, 503],
      [true, 200],
    ]);
    expect(dropped.requests).toHaveLength(1);
  });
});
