import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const TABLES = [
  'incidents',
  'incident_observables',
  'dispatches',
  'timeline_events',
  'outbox',
  'audit_log',
  'reference_counters',
  'idempotency_keys',
];

export const incidentBody = (patch: Record<string, unknown> = {}) => ({
  title: 'Phishing campaign against banks',
  description: 'Credential harvesting pages imitating online banking',
  category: 'fraud/phishing',
  severity: 'high',
  tlp: 'TLP:AMBER',
  sector: 'finance',
  ...patch,
});

describe('Incident intake', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let analystBY: Api;
  let coordinator: Api;

  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await env.db.query(`SELECT count(*)::text AS n FROM ${table}`);
      out[table] = rows[0].n;
    }
    const counters = await env.db.query('SELECT year, last_value FROM reference_counters');
    out.counters = JSON.stringify(counters.rows);
    return out;
  }

  beforeAll(async () => {
    env = await createTestEnv('incidents');
    service = await startService(env);
    admin = new Api(service.url);
    analystBY = admin.as(await admin.createKey('analyst', 'BY'));
    coordinator = admin.as(await admin.createKey('coordinator'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('files an incident and answers 201 with every field normalised', async () => {
    const res = await analystBY.post(
      '/api/v1/incidents',
      incidentBody({
        affectedStates: ['KZ'],
        occurredAt: '2026-03-01T10:00:00+03:00',
        detectedAt: '2026-03-02',
        observables: [
          { type: 'domain', value: 'Login.Evil.RU.' },
          { type: 'ipv6', value: '2001:DB8:0:0:0:0:0:1' },
          { type: 'url', value: 'HTTPS://Пример.РФ/login' },
          { type: 'email', value: 'Boss@Bank.KG' },
          {
            type: 'sha256',
            value: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
          },
          { type: 'cve', value: 'cve-2021-44228' },
          { type: 'asn', value: 'AS64500' },
          { type: 'domain', value: 'login.evil.ru' },
        ],
      }),
    );
    expect(res.status).toBe(201);
    const body = res.body;
    expect(body).toMatchObject({
      title: 'Phishing campaign against banks',
      category: 'fraud/phishing',
      severity: 'high',
      tlp: 'TLP:AMBER',
      sector: 'finance',
      status: 'new',
      reportingState: 'BY',
      affectedStates: ['KZ'],
      occurredAt: '2026-03-01T07:00:00.000Z',
      detectedAt: '2026-03-02T00:00:00.000Z',
      observables: [
        { type: 'domain', value: 'login.evil.ru' },
        { type: 'ipv6', value: '2001:db8::1' },
        { type: 'url', value: 'https://xn--e1afmkfd.xn--p1ai/login' },
        { type: 'email', value: 'Boss@bank.kg' },
        {
          type: 'sha256',
          value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
        { type: 'cve', value: 'CVE-2021-44228' },
        { type: 'asn', value: '64500' },
      ],
      routing: { dispatchedTo: ['KG', 'KZ', 'RU'], suggested: [] },
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.reference).toMatch(new RegExp(`^CCC-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(body.dispatches).toEqual(
      ['KG', 'KZ', 'RU'].map((state) => ({
        state,
        status: 'pending',
        notifiedAt: null,
        acknowledgedAt: null,
        escalationLevel: 0,
        deadlineAt: expect.any(String),
      })),
    );

    const read = await analystBY.get(`/api/v1/incidents/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);

    const timeline = await env.db.query(
      'SELECT type, data FROM timeline_events WHERE incident_id = $1 ORDER BY at, type',
      [body.id],
    );
    expect(timeline.rows).toEqual([
      { type: 'created', data: { reference: body.reference } },
      { type: 'routed', data: { dispatchedTo: ['KG', 'KZ', 'RU'] } },
    ]);
    const outbox = await env.db.query(
      'SELECT party, type, payload FROM outbox WHERE incident_id = $1 ORDER BY party',
      [body.id],
    );
    expect(outbox.rows.map((r) => [r.party, r.type])).toEqual([
      ['KG', 'incident.routed'],
      ['KZ', 'incident.routed'],
      ['RU', 'incident.routed'],
    ]);
    expect(outbox.rows[0].payload.data.incident).toMatchObject({
      id: body.id,
      reference: body.reference,
    });
    const deadlines = await env.db.query(
      `SELECT extract(epoch FROM ack_deadline - created_at)::int AS seconds FROM dispatches
       WHERE incident_id = $1`,
      [body.id],
    );
    expect(deadlines.rows.every((r) => r.seconds === 3600)).toBe(true);
    const audit = await env.db.query(
      "SELECT actor FROM audit_log WHERE action = 'incident.created' AND target_id = $1",
      [body.id],
    );
    expect(audit.rows).toHaveLength(1);
  });

  it('withholds constituency matches of TLP:RED as suggested, shown only to the reporter and CCC', async () => {
    const res = await analystBY.post(
      '/api/v1/incidents',
      incidentBody({
        tlp: 'TLP:RED',
        affectedStates: ['AM'],
        observables: [{ type: 'domain', value: 'c2.evil.kz' }],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.routing).toEqual({ dispatchedTo: ['AM'], suggested: ['KZ'] });
    const asCoordinator = await coordinator.get(`/api/v1/incidents/${res.body.id}`);
    expect(asCoordinator.body.routing.suggested).toEqual(['KZ']);
    const am = admin.as(await admin.createKey('analyst', 'AM'));
    const asAM = await am.get(`/api/v1/incidents/${res.body.id}`);
    expect(asAM.status).toBe(200);
    expect(asAM.body.routing).toEqual({ dispatchedTo: ['AM'], suggested: [] });
    const kz = admin.as(await admin.createKey('analyst', 'KZ'));
    expect((await kz.get(`/api/v1/incidents/${res.body.id}`)).status).toBe(404);
    const payloads = await env.db.query(
      'SELECT party, payload FROM outbox WHERE incident_id = $1',
      [res.body.id],
    );
    expect(payloads.rows.map((r) => r.party)).toEqual(['AM']);
    expect(JSON.stringify(payloads.rows[0].payload)).not.toContain('KZ');
  });

  it('applies the reporting-state rule for analysts and coordinators', async () => {
    const mismatch = await analystBY.post(
      '/api/v1/incidents',
      incidentBody({ reportingState: 'KZ' }),
    );
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([expect.objectContaining({ field: 'reportingState' })]);
    const own = await analystBY.post('/api/v1/incidents', incidentBody({ reportingState: 'BY' }));
    expect(own.status).toBe(201);

    const missing = await coordinator.post('/api/v1/incidents', incidentBody());
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'reportingState' })]);
    const filed = await coordinator.post(
      '/api/v1/incidents',
      incidentBody({ reportingState: 'TJ' }),
    );
    expect(filed.status).toBe(201);
    expect(filed.body.reportingState).toBe('TJ');

    expect(
      (await admin.post('/api/v1/incidents', incidentBody({ reportingState: 'TJ' }))).status,
    ).toBe(403);
  });

  describe('rejects bad input with problem+json and changes nothing', () => {
    const longBody = JSON.stringify(incidentBody({ description: 'x'.repeat(1024 * 1024) }));
    const cases: [
      string,
      number,
      () => Promise<{ status: number; body: any; headers: Headers }>,
      string?,
    ][] = [
      [
        'malformed JSON',
        400,
        () =>
          analystBY.request('POST', '/api/v1/incidents', '{"title": "x",', {
            'content-type': 'application/json',
          }),
      ],
      [
        'an unknown field',
        400,
        () => analystBY.post('/api/v1/incidents', incidentBody({ colour: 'red' })),
        'colour',
      ],
      [
        'a too-long title',
        400,
        () => analystBY.post('/api/v1/incidents', incidentBody({ title: 't'.repeat(301) })),
        'title',
      ],
      [
        'a too-long description',
        400,
        () =>
          analystBY.post('/api/v1/incidents', incidentBody({ description: 'd'.repeat(20_001) })),
        'description',
      ],
      [
        'more than 500 observables',
        400,
        () =>
          analystBY.post(
            '/api/v1/incidents',
            incidentBody({
              observables: Array.from({ length: 501 }, (_, i) => ({
                type: 'asn',
                value: String(i),
              })),
            }),
          ),
        'observables',
      ],
      [
        'a malformed observable',
        400,
        () =>
          analystBY.post(
            '/api/v1/incidents',
            incidentBody({
              observables: [
                { type: 'domain', value: 'fine.example' },
                { type: 'ipv4', value: '10.0.0.1' },
                { type: 'ipv4', value: '010.0.0.1' },
              ],
            }),
          ),
        'observables[2].value',
      ],
      [
        'an unknown observable type',
        400,
        () =>
          analystBY.post(
            '/api/v1/incidents',
            incidentBody({ observables: [{ type: 'hostname', value: 'a.example' }] }),
          ),
        'observables[0].type',
      ],
      [
        'a bad category',
        400,
        () => analystBY.post('/api/v1/incidents', incidentBody({ category: 'fraud/scam' })),
        'category',
      ],
      [
        'a bad TLP',
        400,
        () => analystBY.post('/api/v1/incidents', incidentBody({ tlp: 'TLP:WHITE' })),
        'tlp',
      ],
      [
        'too many affected states',
        400,
        () =>
          analystBY.post(
            '/api/v1/incidents',
            incidentBody({ affectedStates: ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ', 'RU'] }),
          ),
        'affectedStates',
      ],
      [
        'a body over 1 MiB',
        413,
        () =>
          analystBY.request('POST', '/api/v1/incidents', longBody, {
            'content-type': 'application/json',
          }),
      ],
      [
        'a wrong content type',
        415,
        () =>
          analystBY.request('POST', '/api/v1/incidents', JSON.stringify(incidentBody()), {
            'content-type': 'application/xml',
          }),
      ],
      [
        'text/plain',
        415,
        () =>
          analystBY.request('POST', '/api/v1/incidents', JSON.stringify(incidentBody()), {
            'content-type': 'text/plain',
          }),
      ],
      [
        'an over-long Idempotency-Key',
        400,
        () =>
          analystBY.post('/api/v1/incidents', incidentBody(), {
            'idempotency-key': 'k'.repeat(256),
          }),
        'Idempotency-Key',
      ],
    ];

    it.each(cases)('%s → %i', async (...[, status, send, field]) => {
      const before = await snapshot();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status,
        title: expect.any(String),
        type: expect.any(String),
      });
      if (field) {
        expect(res.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field })]),
        );
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  it('numbers 50 concurrent incidents consecutively without gaps', async () => {
    const before = await env.db.query(
      'SELECT coalesce(max(last_value), 0) AS n FROM reference_counters',
    );
    const start = Number(before.rows[0].n);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        analystBY.post('/api/v1/incidents', incidentBody({ title: `concurrent ${i}` })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => Number(r.body.reference.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => start + i + 1));
  });
});
