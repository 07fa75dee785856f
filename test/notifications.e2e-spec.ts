import { randomUUID } from 'node:crypto';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { mimePart, SmtpSink } from './support/smtp.js';
import { emitEvent, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';
import { afterMoreRuns } from './support/wait-for.js';

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) as text. */
function decodeSubject(raw: string): string {
  return raw
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** Webhook and e-mail delivery against real receivers on loopback. */
describe('Notification delivery', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let receiver: WebhookReceiver;
  let smtp: SmtpSink;
  let referenceSeq = 0;

  beforeAll(async () => {
    env = await createTestEnv('notify');
    receiver = await WebhookReceiver.start();
    smtp = await SmtpSink.start();
    service = await startService(env, {
      env: { CCC_WEBHOOK_MAX_ATTEMPTS: '3', SMTP_URL: smtp.url },
    });
    admin = new Api(service.url);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await smtp?.close();
    await env?.cleanup();
  });

  const deliveriesOf = async (eventId: string) =>
    (
      await env.db.query('SELECT * FROM deliveries WHERE event_id = $1 ORDER BY created_at', [
        eventId,
      ])
    ).rows;
  const attemptsOf = async (deliveryId: string) =>
    (
      await env.db.query(
        'SELECT * FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt, id',
        [deliveryId],
      )
    ).rows;
  const settled = (eventId: string, status: 'delivered' | 'failed', count = 1) =>
    eventually(async () => {
      const rows = await deliveriesOf(eventId);
      return rows.length === count && rows.every((r) => r.status === status) ? rows : null;
    }, `${count} ${status} deliveries of ${eventId}`);

  /** An incident row with dispatches, as intake would write it. */
  async function insertIncident(states: string[]): Promise<{ id: string; reference: string }> {
    const reference = `CCC-2026-${String(900000 + ++referenceSeq)}`;
    const { rows } = await env.db.query(
      `INSERT INTO incidents (reference, title, category, severity, tlp, sector, reporting_state)
       VALUES ($1, 'Phishing wave', 'fraud/phishing', 'high', 'TLP:AMBER', 'finance', 'AM')
       RETURNING id`,
      [reference],
    );
    for (const state of states) {
      await env.db.query('INSERT INTO dispatches (incident_id, state) VALUES ($1, $2)', [
        rows[0].id,
        state,
      ]);
    }
    return { id: rows[0].id, reference };
  }

  it('delivers a signed webhook once, with the delivery id as a stable webhook-id', async () => {
    const endpoint = receiver.endpoint();
    await setContacts(admin, 'AM', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const incidentId = randomUUID();
    const data = { incident: { id: incidentId, reference: 'CCC-2026-000042', title: 'Ünïcode' } };
    const eventId = await emitEvent(env.db, {
      type: 'incident.routed',
      party: 'AM',
      incidentId,
      data,
    });

    const [delivery] = await settled(eventId, 'delivered');
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request.verified).toBe(true);
    expect(request.webhookId).toBe(delivery.id);
    expect(request.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Number(request.timestamp)).toBeGreaterThan(1_700_000_000);
    expect(request.json).toMatchObject({ id: eventId, type: 'incident.routed', data });
    expect(typeof request.json.occurredAt).toBe('string');

    const attempts = await attemptsOf(delivery.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, status_code: 200, error: null });
    expect(delivery).toMatchObject({ attempts: 1, last_status_code: 200, channel: 'webhook' });
    expect(delivery.delivered_at).not.toBeNull();

    // The relay and the sweeper each run again; neither sends it again.
    await afterMoreRuns([service.url], ['OutboxRelay', 'DeliverySweeper']);
    expect(endpoint.requests).toHaveLength(1);

    const listed = await admin.get(`/api/v1/deliveries?incidentId=${incidentId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      {
        id: delivery.id,
        event: 'incident.routed',
        incidentId,
        party: 'AM',
        channel: 'webhook',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: expect.any(String),
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(listed.text).not.toContain(endpoint.secret);
  }, 60_000);

  it('retries a 500 with the same webhook-id and records every attempt', async () => {
    const endpoint = receiver.endpoint({ replies: [500] });
    await setContacts(admin, 'BY', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const eventId = await emitEvent(env.db, { type: 'incident.updated', party: 'BY' });

    const [delivery] = await settled(eventId, 'delivered');
    expect(endpoint.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(new Set(endpoint.requests.map((r) => r.webhookId))).toEqual(new Set([delivery.id]));
    expect(endpoint.requests.every((r) => r.verified)).toBe(true);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 200, null],
    ]);
    expect(attempts.every((a) => Number.isInteger(a.duration_ms) && a.duration_ms >= 0)).toBe(true);
    expect(delivery.attempts).toBe(2);
  }, 60_000);

  it('counts a 302 as a failure and never follows the redirect', async () => {
    const elsewhere = receiver.endpoint();
    const endpoint = receiver.endpoint({
      replies: [{ status: 302, headers: { location: elsewhere.url } }],
    });
    await setContacts(admin, 'KZ', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const eventId = await emitEvent(env.db, { type: 'incident.updated', party: 'KZ' });

    const [delivery] = await settled(eventId, 'delivered');
    expect(endpoint.requests.map((r) => r.status)).toEqual([302, 200]);
    expect(elsewhere.requests).toHaveLength(0);
    const [first] = await attemptsOf(delivery.id);
    expect(first.status_code).toBe(302);
    expect(first.error).toMatch(/redirect.*not followed/);
  }, 60_000);

  it('waits as long as Retry-After says on a 429', async () => {
    const endpoint = receiver.endpoint({
      replies: [{ status: 429, headers: { 'retry-after': '2' } }],
    });
    await setContacts(admin, 'KG', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const eventId = await emitEvent(env.db, { type: 'incident.updated', party: 'KG' });

    const [delivery] = await settled(eventId, 'delivered');
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.map((a) => a.status_code)).toEqual([429, 200]);
    // The backoff here is 100 ms; only Retry-After explains a gap of 2 s or more.
    expect(attempts[1].at.getTime() - attempts[0].at.getTime()).toBeGreaterThanOrEqual(2000);
  }, 60_000);

  it('dead-letters after CCC_WEBHOOK_MAX_ATTEMPTS, lists it, and a coordinator retries it', async () => {
    const endpoint = receiver.endpoint({ fallback: 500 });
    await setContacts(admin, 'RU', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const incidentId = randomUUID();
    const eventId = await emitEvent(env.db, { type: 'incident.routed', party: 'RU', incidentId });

    const [delivery] = await settled(eventId, 'failed');
    expect(delivery).toMatchObject({ attempts: 3, last_status_code: 500, last_error: 'HTTP 500' });
    expect(endpoint.requests).toHaveLength(3);
    expect((await attemptsOf(delivery.id)).map((a) => a.attempt)).toEqual([1, 2, 3]);

    const coordinator = admin.as(await admin.createKey('coordinator'));
    const failed = await coordinator.get('/api/v1/deliveries?status=failed&party=RU');
    expect(failed.status).toBe(200);
    expect(failed.body.items).toEqual([
      expect.objectContaining({
        id: delivery.id,
        status: 'failed',
        attempts: 3,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
      }),
    ]);
    const analyst = admin.as(await admin.createKey('analyst', 'RU'));
    expect((await analyst.get('/api/v1/deliveries')).status).toBe(403);
    expect((await analyst.post(`/api/v1/deliveries/${delivery.id}/retry`)).status).toBe(403);

    endpoint.fallback = 200;
    const retried = await coordinator.post(`/api/v1/deliveries/${delivery.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: delivery.id, status: 'pending', attempts: 0 });

    await settled(eventId, 'delivered');
    expect(endpoint.requests.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(endpoint.requests.map((r) => r.webhookId))).toEqual(new Set([delivery.id]));

    const again = await coordinator.post(`/api/v1/deliveries/${delivery.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await coordinator.post(`/api/v1/deliveries/${randomUUID()}/retry`)).status).toBe(404);
    expect((await coordinator.post('/api/v1/deliveries/not-a-uuid/retry')).status).toBe(404);

    const audit = await env.db.query(
      `SELECT actor, change FROM audit_log WHERE action = 'delivery.retried' AND target_id = $1`,
      [delivery.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor).toMatch(/^coordinator:CCC:/);
  }, 60_000);

  it('pages and filters the delivery list', async () => {
    const endpoint = receiver.endpoint();
    await setContacts(admin, 'TJ', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const incidentId = randomUUID();
    const events = [];
    for (let i = 0; i < 3; i++) {
      events.push(await emitEvent(env.db, { type: 'incident.updated', party: 'TJ', incidentId }));
    }
    for (const eventId of events) await settled(eventId, 'delivered');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/deliveries?incidentId=${incidentId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await admin.get(query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);

    expect(
      (await admin.get(`/api/v1/deliveries?incidentId=${incidentId}&status=failed`)).body.items,
    ).toEqual([]);
    expect((await admin.get('/api/v1/deliveries?status=lost')).status).toBe(400);
    expect((await admin.get('/api/v1/deliveries?party=XX')).status).toBe(400);
    expect((await admin.get('/api/v1/deliveries?cursor=bogus')).status).toBe(400);
    expect((await admin.get('/api/v1/deliveries?limit=201')).status).toBe(400);
  }, 60_000);

  it('sends e-mail contacts a plain-text and an HTML part through SMTP', async () => {
    await setContacts(admin, 'TJ', [{ type: 'email', address: 'soc@cert.tj', locale: 'en' }]);
    const data = {
      incident: { id: randomUUID(), reference: 'CCC-2026-000777', title: 'Defacement <b>' },
    };
    const eventId = await emitEvent(env.db, { type: 'incident.routed', party: 'TJ', data });

    const [delivery] = await settled(eventId, 'delivered');
    expect(delivery.channel).toBe('email');
    const mail = await eventually(
      () => smtp.messages.find((m) => m.raw.includes(delivery.id)),
      'the e-mail',
    );
    expect(mail.to).toEqual(['soc@cert.tj']);
    expect(mail.subject).toBe('[CCC] New incident CCC-2026-000777: Defacement <b>');
    const text = mimePart(mail.raw, 'text/plain');
    const html = mimePart(mail.raw, 'text/html');
    expect(text).toContain('Reference: CCC-2026-000777');
    expect(text).toContain('Title: Defacement <b>');
    expect(html).toContain('<td>CCC-2026-000777</td>');
    expect(html).toContain('Defacement &lt;b&gt;');
  }, 60_000);

  it('writes each e-mail contact in its own language: subject, both parts, labels', async () => {
    await setContacts(admin, 'AM', [
      { type: 'email', address: 'ru@cert.am' }, // Russian by default
      { type: 'email', address: 'en@cert.am', locale: 'en' },
    ]);
    const data = {
      incident: {
        id: randomUUID(),
        reference: 'CCC-2026-000778',
        title: 'Фишинг <b>',
        category: 'intrusions/system-compromise',
        severity: 'critical',
        tlp: 'TLP:AMBER',
        sector: 'energy',
        reportingState: 'KZ',
        status: 'new',
      },
    };
    const eventId = await emitEvent(env.db, { type: 'incident.routed', party: 'AM', data });
    const deliveries = await settled(eventId, 'delivered', 2);
    expect(deliveries).toHaveLength(2);
    const mailTo = (address: string) =>
      eventually(
        () =>
          smtp.messages.find(
            (m) => m.to.includes(address) && deliveries.some((d) => m.raw.includes(d.id)),
          ),
        `the e-mail to ${address}`,
      );
    const ru = await mailTo('ru@cert.am');
    const en = await mailTo('en@cert.am');
    expect(decodeSubject(ru.subject)).toBe(
      '[CCC] TLP:AMBER Новый инцидент CCC-2026-000778: Фишинг <b>',
    );
    expect(decodeSubject(en.subject)).toBe(
      '[CCC] TLP:AMBER New incident CCC-2026-000778: Фишинг <b>',
    );
    const ruText = mimePart(ru.raw, 'text/plain')!;
    const ruHtml = mimePart(ru.raw, 'text/html')!;
    const enText = mimePart(en.raw, 'text/plain')!;
    const enHtml = mimePart(en.raw, 'text/html')!;
    expect(ruText.split('\n')[0]).toMatch(/^TLP:AMBER — Ограниченное раскрытие/);
    expect(enText.split('\n')[0]).toMatch(/^TLP:AMBER — Limited disclosure/);
    expect(ruText).toContain('Категория (RSIT): Вторжения: Компрометация системы');
    expect(ruText).toContain('Критичность: Критический');
    expect(ruText).toContain('Сообщило: Казахстан');
    expect(enText).toContain('Category (RSIT): Intrusions: System Compromise');
    expect(enText).toContain('Severity: Critical');
    expect(enText).toContain('Reported by: Kazakhstan');
    expect(ruText).toContain('TLP: TLP:AMBER (организация и её клиенты)');
    expect(enText).toContain('TLP: TLP:AMBER (organisation and its clients)');
    // Both parts say the same in one language: no English sentence in the Russian e-mail.
    for (const part of [ruText, ruHtml]) {
      expect(part).toContain('Государство-член зарегистрировало инцидент');
      expect(part).not.toMatch(/A member state filed|Category \(RSIT\)|Reported by/);
    }
    expect(enHtml).toContain('A member state filed an incident');
    // Webhook-style codes stay as they are inside the event each part closes with.
    expect(ruText).toContain('"category": "intrusions/system-compromise"');
    expect(ruHtml).toContain(
      '<td>Вторжения: Компрометация системы (intrusions/system-compromise)</td>',
    );
    expect(enHtml).toContain(
      '<td>Intrusions: System Compromise (intrusions/system-compromise)</td>',
    );
    for (const html of [ruHtml, enHtml]) {
      expect(html.indexOf('TLP:AMBER —')).toBeLessThan(html.indexOf('<table>'));
      expect(html).toContain('Фишинг &lt;b&gt;');
    }
  }, 60_000);

  it('marks the dispatch notified once when incident.routed reaches the state', async () => {
    const hook = receiver.endpoint();
    await setContacts(admin, 'KZ', [
      { type: 'webhook', url: hook.url, secret: hook.secret },
      { type: 'email', address: 'cert@cert.kz' },
    ]);
    const incident = await insertIncident(['KZ', 'KG']);
    const before = await env.db.query(
      `SELECT status FROM dispatches WHERE incident_id = $1 AND state = 'KZ'`,
      [incident.id],
    );
    expect(before.rows[0].status).toBe('pending');
    const eventId = await emitEvent(env.db, {
      type: 'incident.routed',
      party: 'KZ',
      incidentId: incident.id,
      data: { incident: { id: incident.id, reference: incident.reference } },
    });

    await settled(eventId, 'delivered', 2);
    const dispatches = await env.db.query(
      'SELECT state, status, notified_at FROM dispatches WHERE incident_id = $1 ORDER BY state',
      [incident.id],
    );
    expect(dispatches.rows).toEqual([
      { state: 'KG', status: 'pending', notified_at: null },
      { state: 'KZ', status: 'notified', notified_at: expect.any(Date) },
    ]);
    const timeline = await env.db.query(
      `SELECT actor, data FROM timeline_events WHERE incident_id = $1 AND type = 'notified'`,
      [incident.id],
    );
    expect(timeline.rows).toHaveLength(1);
    expect(timeline.rows[0]).toMatchObject({ actor: 'system', data: { state: 'KZ' } });

    // Other events do not notify a dispatch.
    const updated = await emitEvent(env.db, {
      type: 'incident.updated',
      party: 'KZ',
      incidentId: incident.id,
    });
    await settled(updated, 'delivered', 2);
    const count = await env.db.query(
      `SELECT count(*)::int AS n FROM timeline_events WHERE incident_id = $1 AND type = 'notified'`,
      [incident.id],
    );
    expect(count.rows[0].n).toBe(1);
  }, 60_000);

  it('publishes an event for a party without contacts and creates no delivery', async () => {
    await setContacts(admin, 'AM', []);
    const eventId = await emitEvent(env.db, { type: 'incident.updated', party: 'AM' });
    await eventually(async () => {
      const { rows } = await env.db.query('SELECT published_at FROM outbox WHERE event_id = $1', [
        eventId,
      ]);
      return rows[0]?.published_at;
    }, 'the outbox row to be published');
    expect(await deliveriesOf(eventId)).toEqual([]);
  }, 60_000);

  it('exposes delivery counters and latency in /metrics', async () => {
    const metrics = await admin.as('').get('/metrics');
    expect(metrics.text).toMatch(
      /ccc_delivery_attempts_total\{event="incident.routed",channel="webhook",outcome="delivered"\} \d+/,
    );
    expect(metrics.text).toMatch(/ccc_delivery_attempts_total\{[^}]*outcome="failed"\} \d+/);
    expect(metrics.text).toMatch(/ccc_delivery_latency_seconds_bucket\{[^}]*channel="email"/);
  });
});
