import type pg from 'pg';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';
import { Endpoint, eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

const STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'];
/** What only the filing knows: null in a preview before filing. */
const FILED_ONLY = ['id', 'reference', 'createdAt', 'updatedAt'];

/** Every row of every table (as a hash) and every sequence: the whole written state. */
async function snapshot(db: pg.Pool): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const { rows } = await db.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h
       FROM "${name}" t`,
    );
    out[name] = `${rows[0].n} ${rows[0].h}`;
  }
  const sequences = await db.query<{ name: string; last: string | null }>(
    `SELECT sequencename AS name, last_value::text AS last FROM pg_sequences
     WHERE schemaname = 'public'`,
  );
  for (const s of sequences.rows) out[`sequence ${s.name}`] = String(s.last);
  return out;
}

const without = (incident: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(Object.entries(incident).filter(([k]) => !fields.includes(k)));

/** An incident's dispatches fall due one period after the filing: unknown before it. */
const withoutDeadlines = (incident: Record<string, any>) => ({
  ...incident,
  dispatches: incident.dispatches.map((d: Record<string, unknown>) => without(d, ['deadlineAt'])),
});

/**
 * Waits until what earlier filings started has finished (every event published, every
 * delivery done, every dispatch notified, every incident's STIX objects indexed), so that a
 * snapshot sees only what a preview does.
 */
async function quiet(db: pg.Pool): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await db.query<{ busy: number }>(
        `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM deliveries WHERE status = 'pending')
              + (SELECT count(*) FROM dispatches WHERE status = 'pending')
              + (SELECT count(*) FROM stix_pending) AS busy`,
      );
      return Number(rows[0].busy) === 0;
    },
    { what: 'earlier filings to settle' },
  );
}

describe('Previews: what each state will receive', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let reporter: Api; // analyst of AM
  let byAnalyst: Api;
  let kgAnalyst: Api;
  let coordinator: Api;
  let receiver: WebhookReceiver;
  const endpoints: Record<string, Endpoint> = {};

  beforeAll(async () => {
    env = await createTestEnv('previews');
    receiver = await WebhookReceiver.start();
    service = await startService(env);
    admin = new Api(service.url);
    reporter = admin.as(await admin.createKey('analyst', 'AM'));
    byAnalyst = admin.as(await admin.createKey('analyst', 'BY'));
    kgAnalyst = admin.as(await admin.createKey('analyst', 'KG'));
    coordinator = admin.as(await admin.createKey('coordinator'));
    for (const state of STATES) {
      endpoints[state] = receiver.endpoint();
      const { url, secret } = endpoints[state];
      await setContacts(admin, state, [{ type: 'webhook', url, secret }]);
    }
    const res = await admin.put('/api/v1/member-states/KZ/constituency', {
      domains: ['kz'],
      cidrs: ['198.51.100.0/24'],
      asns: [],
    });
    expect(res.status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  const body = (tlp: string, title: string) => ({
    title,
    description: 'Credential phishing <b>wave</b>',
    category: 'fraud/phishing',
    severity: 'high',
    tlp,
    sector: 'finance',
    affectedStates: ['BY'],
    observables: [
      { type: 'domain', value: 'Login.Bank-Secure.KZ.' },
      { type: 'ipv4', value: '198.51.100.7' },
      { type: 'sha256', value: 'A'.repeat(64) },
    ],
    occurredAt: '2026-03-01T10:00:00+03:00',
  });

  const routedTo = (state: string, incidentId: string) =>
    endpoints[state].requests.find(
      (r) => r.json?.type === 'incident.routed' && r.json?.data?.incident?.id === incidentId,
    );

  it.each([
    ['TLP:AMBER', ['BY', 'KZ'], []],
    ['TLP:RED', ['BY'], ['KZ']],
  ])(
    '%s: writes nothing, routes as the filing does, and shows each state its webhook exactly',
    async (tlp, dispatchedTo, suggested) => {
      const filing = body(tlp, `preview ${tlp}`);
      await quiet(env.db);
      const before = await snapshot(env.db);
      const preview = await reporter.post('/api/v1/incidents/preview', filing, {
        'idempotency-key': `preview-${tlp}`,
      });
      expect(preview.status).toBe(200);
      expect(await snapshot(env.db)).toEqual(before);

      expect(preview.body.routing).toEqual({ dispatchedTo, suggested });
      expect(preview.body.recipients.map((r: { state: string }) => r.state)).toEqual(STATES);
      for (const r of preview.body.recipients) {
        const receives = dispatchedTo.includes(r.state);
        expect(r.receives).toBe(receives);
        expect(r.incident === null).toBe(!receives);
        if (r.incident) {
          for (const f of FILED_ONLY) expect(r.incident[f]).toBeNull();
          for (const d of r.incident.dispatches) expect(d.deadlineAt).toBeNull();
        }
      }
      const reasons = Object.fromEntries(
        preview.body.recipients.map((r: { state: string; reason: string }) => [r.state, r.reason]),
      );
      expect(reasons).toMatchObject({ AM: 'reporting', BY: 'affected', KG: 'none' });
      expect(reasons.KZ).toBe(tlp === 'TLP:RED' ? 'suggested' : 'constituency');

      // The same Idempotency-Key files normally: the preview stored nothing under it.
      const filed = await reporter.post('/api/v1/incidents', filing, {
        'idempotency-key': `preview-${tlp}`,
      });
      expect(filed.status).toBe(201);
      expect(filed.body.routing).toEqual(preview.body.routing);
      const id = filed.body.id as string;

      const parties = await env.db.query<{ party: string }>(
        `SELECT party FROM outbox WHERE incident_id = $1 AND type = 'incident.routed' ORDER BY 1`,
        [id],
      );
      expect(parties.rows.map((r) => r.party)).toEqual(dispatchedTo);
      for (const state of dispatchedTo) {
        const webhook = await eventually(() => routedTo(state, id), `${state}'s webhook`);
        expect(webhook.verified).toBe(true);
        const shown = preview.body.recipients.find((r: { state: string }) => r.state === state);
        expect(withoutDeadlines(without(shown.incident, FILED_ONLY))).toEqual(
          withoutDeadlines(without(webhook.json.data.incident, FILED_ONLY)),
        );
        for (const d of webhook.json.data.incident.dispatches) expect(d.deadlineAt).not.toBeNull();
        expect(webhook.json.data.incident.reference).toBe(filed.body.reference);
        // Suggestions are for the center and the reporter only, never in a state's payload.
        expect(webhook.json.data.incident.routing.suggested).toEqual([]);
      }

      // The filed incident's preview: as it stands now (dispatch statuses move on).
      const now = await coordinator.get(`/api/v1/incidents/${id}/preview`);
      expect(now.status).toBe(200);
      expect(now.body.routing).toEqual(filed.body.routing);
      for (const state of dispatchedTo) {
        const shown = now.body.recipients.find((r: { state: string }) => r.state === state);
        const webhook = routedTo(state, id)!;
        expect(without(shown.incident, ['dispatches', 'updatedAt'])).toEqual(
          without(webhook.json.data.incident, ['dispatches', 'updatedAt']),
        );
      }
      const one = await reporter.get(`/api/v1/incidents/${id}/preview?state=KZ`);
      expect(one.status).toBe(200);
      expect(one.body.recipients).toHaveLength(1);
      expect(one.body.recipients[0].receives).toBe(tlp !== 'TLP:RED');
    },
  );

  it('refuses what the filing would refuse, in the same words, and writes nothing', async () => {
    await quiet(env.db);
    const before = await snapshot(env.db);
    const bad = await reporter.post('/api/v1/incidents/preview', {
      ...body('TLP:GREEN', 'bad'),
      observables: [{ type: 'ipv4', value: '300.1.2.3' }],
      extra: 1,
    });
    const filing = await reporter.post('/api/v1/incidents', {
      ...body('TLP:GREEN', 'bad'),
      observables: [{ type: 'ipv4', value: '300.1.2.3' }],
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(filing.body);
    const malformed = await reporter.post('/api/v1/incidents/preview', {
      ...body('TLP:GREEN', 'bad'),
      observables: [{ type: 'ipv4', value: '300.1.2.3' }],
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([
      { field: 'observables[0].value', message: expect.stringContaining('IPv4') },
    ]);
    expect(await snapshot(env.db)).toEqual(before);
  });

  it('lets coordinators and analysts of the reporting state preview; nobody else', async () => {
    const filed = await reporter.post('/api/v1/incidents', body('TLP:AMBER', 'who may preview'));
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const path = `/api/v1/incidents/${id}/preview`;
    expect((await coordinator.get(path)).status).toBe(200);
    expect((await reporter.get(path)).status).toBe(200);
    expect((await byAnalyst.get(path)).status).toBe(403); // sees it (dispatched), may not preview
    expect((await kgAnalyst.get(path)).status).toBe(404); // may not even see it
    expect((await admin.get(path)).status).toBe(403);
    expect((await new Api(service.url, '').get(path)).status).toBe(401);
    expect((await coordinator.get(`${path}?state=XX`)).status).toBe(400);
    expect((await admin.post('/api/v1/incidents/preview', body('TLP:AMBER', 'x'))).status).toBe(
      403,
    );
    const noState = await coordinator.post('/api/v1/incidents/preview', body('TLP:AMBER', 'x'));
    expect(noState.status).toBe(400);
    expect(noState.body.errors[0].field).toBe('reportingState');
    const asCoordinator = await coordinator.post('/api/v1/incidents/preview', {
      ...body('TLP:AMBER', 'x'),
      reportingState: 'AM',
    });
    expect(asCoordinator.status).toBe(200);
  });
});
