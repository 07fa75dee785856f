import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { SseClient } from './support/sse.js';

const incident = (tlp: string, extra: Record<string, unknown> = {}) => ({
  title: `Live ${tlp} ${Math.random().toString(36).slice(2, 8)}`,
  category: 'malicious-code/malware-distribution',
  severity: 'medium',
  tlp,
  sector: 'energy',
  affectedStates: ['KZ'],
  ...extra,
});

/**
 * `GET /api/v1/events` on two API instances of one deployment: events reach streams on an
 * instance other than the one that wrote them, each stream gets only what its caller may see,
 * a dropped stream resumes with Last-Event-ID, and SIGTERM ends streams at once.
 */
describe('Live events', () => {
  let env: TestEnv;
  let a: Service;
  let b: Service;
  let adminA: Api;
  let keys: Record<'BY' | 'KZ' | 'TJ' | 'coordinator', string>;
  const streams: SseClient[] = [];

  const open = async (service: Service, key: string, headers: Record<string, string> = {}) => {
    const s = await SseClient.open(`${service.url}/api/v1/events`, {
      authorization: `Bearer ${key}`,
      ...headers,
    });
    streams.push(s);
    return s;
  };
  const has = (s: SseClient, type: string, id: string) =>
    s.events.some((e) => e.data.type === type && e.data.incidentId === id);

  beforeAll(async () => {
    env = await createTestEnv('events');
    const tuning = {
      CCC_EVENTS_HEARTBEAT_SECONDS: '1',
      CCC_EVENTS_MAX_STREAMS: '3',
      CCC_WEBHOOK_MAX_ATTEMPTS: '1',
    };
    a = await startService(env, { env: tuning });
    b = await startService(env, { role: 'api', env: tuning });
    adminA = new Api(a.url);
    keys = {
      BY: await adminA.createKey('analyst', 'BY'),
      KZ: await adminA.createKey('analyst', 'KZ'),
      TJ: await adminA.createKey('analyst', 'TJ'),
      coordinator: await adminA.createKey('coordinator'),
    };
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    // These drained for ever once: fetch's pool had opened a connection with no request on
    // it after an aborted stream, which Node counts as active (DrainingFastifyAdapter now
    // closes such connections; test/shutdown.e2e-spec.ts checks it).
    expect(await Promise.all([a?.stop(), b?.stop()])).toEqual([0, 0]);
    await env?.cleanup();
  });

  it('sends events written through one instance to streams on another, by visibility', async () => {
    const coordinator = await open(b, keys.coordinator);
    const kz = await open(b, keys.KZ);
    const tj = await open(b, keys.TJ);
    expect([coordinator.status, kz.status, tj.status]).toEqual([200, 200, 200]);

    const amber = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:AMBER'));
    const green = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:GREEN'));
    expect([amber.status, green.status]).toEqual([201, 201]);

    await coordinator.waitFor(
      () =>
        has(coordinator, 'incident.created', amber.body.id) &&
        has(coordinator, 'incident.created', green.body.id),
      'both incidents on the coordinator stream',
    );
    await kz.waitFor(() => has(kz, 'incident.created', green.body.id), 'GREEN on the KZ stream');
    expect(has(kz, 'incident.created', amber.body.id)).toBe(true);
    // TJ holds no dispatch: it sees the GREEN incident (community) and nothing of the AMBER one.
    await tj.waitFor(() => has(tj, 'incident.created', green.body.id), 'GREEN on the TJ stream');
    expect(JSON.stringify(tj.events)).not.toContain(amber.body.id);

    // Events carry ids only, as the contract names them.
    const event = coordinator.of('incident.created')[0];
    expect(Object.keys(event.data).sort()).toEqual(['at', 'incidentId', 'type']);
    expect(event.id).toMatch(/^\d+$/);

    // A comment and an acknowledgement on the AMBER incident: KZ is told, TJ never.
    expect(
      (
        await adminA
          .as(keys.BY)
          .post(`/api/v1/incidents/${amber.body.id}/comments`, { body: 'seen' })
      ).status,
    ).toBe(201);
    expect(
      (await adminA.as(keys.KZ).post(`/api/v1/incidents/${amber.body.id}/acknowledgements`)).status,
    ).toBe(200);
    await kz.waitFor(
      () => has(kz, 'comment.added', amber.body.id) && has(kz, 'dispatch.updated', amber.body.id),
      'comment and acknowledgement on the KZ stream',
    );
    // A later GREEN filing proves TJ's stream is flowing past those events.
    const later = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:GREEN'));
    await tj.waitFor(() => has(tj, 'incident.created', later.body.id), 'the later GREEN on TJ');
    expect(JSON.stringify(tj.events)).not.toContain(amber.body.id);
  });

  it('resumes after Last-Event-ID on another instance, and says reset for an unknown id', async () => {
    const first = await open(a, keys.KZ);
    const one = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:AMBER'));
    await first.waitFor(() => has(first, 'incident.created', one.body.id), 'the first filing');
    const seen = first.events.find(
      (e) => e.data.type === 'incident.created' && e.data.incidentId === one.body.id,
    )!;
    first.close();

    const missed = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:AMBER'));
    const hidden = await adminA
      .as(keys.BY)
      .post('/api/v1/incidents', incident('TLP:RED', { affectedStates: ['AM'] }));
    expect([missed.status, hidden.status]).toEqual([201, 201]);

    const resumed = await open(b, keys.KZ, { 'last-event-id': seen.id! });
    await resumed.waitFor(
      () => has(resumed, 'incident.created', missed.body.id),
      'the missed filing',
    );
    expect(JSON.stringify(resumed.events)).not.toContain(hidden.body.id);
    expect(
      resumed.events.some(
        (e) => e.data.incidentId === one.body.id && e.data.type === 'incident.created',
      ),
    ).toBe(false);

    const stale = await open(b, keys.KZ, { 'last-event-id': '999999999999' });
    await stale.waitFor(() => stale.of('reset').length === 1, 'reset');
  });

  it('keeps streams open with heartbeats and limits streams per caller', async () => {
    const s = await open(a, keys.TJ);
    await s.waitFor(() => s.comments.includes('ping'), 'a heartbeat comment');
    await open(a, keys.TJ);
    await open(a, keys.TJ);
    const over = await open(a, keys.TJ);
    expect(over.status).toBe(429);
  });

  it('sends report.ready to everyone and delivery.failed to the center only', async () => {
    const coordinator = await open(a, keys.coordinator);
    const kz = await open(a, keys.KZ);
    // A webhook nobody listens on, one attempt: the delivery fails at once.
    expect(
      (
        await adminA.put('/api/v1/member-states/KZ/contacts', {
          contacts: [
            {
              type: 'webhook',
              url: 'http://127.0.0.1:9/hook',
              secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
            },
          ],
        })
      ).status,
    ).toBe(200);
    const filed = await adminA.as(keys.BY).post('/api/v1/incidents', incident('TLP:AMBER'));
    await coordinator.waitFor(
      () => coordinator.of('delivery.failed').some((e) => e.data.incidentId === filed.body.id),
      'delivery.failed',
      60_000,
    );
    const report = await adminA.as(keys.coordinator).post('/api/v1/reports', {
      from: '2026-01-01',
      to: '2026-02-01',
      audience: 'community',
    });
    expect(report.status).toBe(202);
    await kz.waitFor(
      () => kz.of('report.ready').some((e) => e.data.reportId === report.body.id),
      'report.ready on KZ',
    );
    expect(kz.of('delivery.failed')).toEqual([]);
  });

  it('ends open streams promptly on SIGTERM and exits 0', async () => {
    const c = await startService(env, {
      role: 'api',
      env: { CCC_EVENTS_HEARTBEAT_SECONDS: '1' },
    });
    const s = await open(c, keys.coordinator);
    await s.waitFor(() => s.comments.includes('ping'), 'the stream is live');
    expect(await c.stop()).toBe(0);
    await s.waitFor(() => s.ended, 'the stream to end');
  });
});
