import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const incident = {
  title: 'Revocation race',
  category: 'fraud/phishing',
  severity: 'low',
  tlp: 'TLP:GREEN',
  sector: 'energy',
  affectedStates: ['KZ'],
};

/**
 * Intake may take a principal it has seen from memory (it checks the key again in the
 * statement that files), so revocation is tested where that memory could go stale: the key is
 * used on instance B, revoked through instance A, and must fail at once on B, whatever else
 * is wrong with the request, rate limit included.
 */
describe('intake after an API key is revoked through another instance', () => {
  let env: TestEnv;
  let a: Service;
  let b: Service;

  beforeAll(async () => {
    env = await createTestEnv('intake-auth');
    a = await startService(env, { role: 'api' });
    b = await startService(env, { env: { CCC_RATE_LIMIT_PER_MINUTE: '4' } });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await env?.cleanup();
  });

  const count = async (table: string) =>
    Number((await env.db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  /** A key filed with `uses` times on B (so B remembers it), then revoked through A. */
  async function revokedAfterUse(uses: number): Promise<Api> {
    const adminA = new Api(a.url);
    const created = await adminA.post('/api/v1/api-keys', {
      name: `soon-revoked-${Math.random().toString(36).slice(2, 8)}`,
      role: 'analyst',
      state: 'BY',
    });
    expect(created.status).toBe(201);
    const onB = new Api(b.url, created.body.key);
    for (let i = 0; i < uses; i++) {
      const res = await onB.post('/api/v1/incidents', incident, { 'idempotency-key': `k${i}` });
      expect(res.status).toBe(201);
    }
    expect((await adminA.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    return onB;
  }

  // The first request after revocation takes each path once: the filing statement, a replay,
  // a validation error, and a refusal by the rate limit (4 a minute on B).
  const paths: [string, number, (api: Api) => Promise<{ status: number }>][] = [
    ['a valid filing', 1, (api) => api.post('/api/v1/incidents', incident)],
    [
      'a replay of an earlier filing',
      1,
      (api) => api.post('/api/v1/incidents', incident, { 'idempotency-key': 'k0' }),
    ],
    ['an invalid body', 1, (api) => api.post('/api/v1/incidents', { ...incident, tlp: 'x' })],
    ['a request over the rate limit', 4, (api) => api.post('/api/v1/incidents', incident)],
  ];

  it.each(paths)('answers 401 to %s and writes nothing', async (_, uses, send) => {
    const api = await revokedAfterUse(uses);
    const incidents = await count('incidents');
    const audit = await count('audit_log');
    const res = await send(api);
    expect(res.status).toBe(401);
    expect(await count('incidents')).toBe(incidents);
    expect(await count('audit_log')).toBe(audit);
    expect((await api.get('/api/v1/incidents')).status).toBe(401);
  });
});
