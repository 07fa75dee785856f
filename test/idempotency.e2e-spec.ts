import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';

const body = (patch: Record<string, unknown> = {}) => ({
  title: 'DDoS on a ministry portal',
  category: 'availability/ddos',
  severity: 'critical',
  tlp: 'TLP:GREEN',
  sector: 'government',
  affectedStates: ['KZ'],
  observables: [{ type: 'ipv4', value: '198.51.100.7' }],
  ...patch,
});

describe('Idempotency-Key on incident intake', () => {
  let env: TestEnv;
  let service: Service;
  let analyst: Api;

  const count = async (table: string) =>
    Number((await env.db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    env = await createTestEnv('idempotency');
    service = await startService(env);
    const admin = new Api(service.url);
    analyst = admin.as(await admin.createKey('analyst', 'BY'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('creates one incident for 10 concurrent requests with one key, and all get its body', async () => {
    const before = await count('incidents');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'concurrent-1' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(await count('incidents')).toBe(before + 1);
    for (const r of responses) expect(r.body).toEqual(responses[0].body);
    const replayed = responses.filter((r) => r.headers.get('idempotent-replayed') === 'true');
    expect(replayed).toHaveLength(9);
    const outbox = await env.db.query('SELECT count(*) AS n FROM outbox WHERE incident_id = $1', [
      responses[0].body.id,
    ]);
    expect(Number(outbox.rows[0].n)).toBe(1);
  });

  it('replays later, also when the keys of the body come in another order', async () => {
    const first = await analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'later' });
    expect(first.status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(body()).reverse());
    const again = await analyst.post('/api/v1/incidents', reordered, {
      'idempotency-key': 'later',
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('answers 422 to the same key with another body, and changes nothing', async () => {
    const first = await analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'k-422' });
    expect(first.status).toBe(201);
    const incidents = await count('incidents');
    const audit = await count('audit_log');
    const res = await analyst.post('/api/v1/incidents', body({ severity: 'low' }), {
      'idempotency-key': 'k-422',
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 422 });
    expect(await count('incidents')).toBe(incidents);
    expect(await count('audit_log')).toBe(audit);
  });

  it('scopes keys to the calling API key', async () => {
    const admin = new Api(service.url);
    const other = admin.as(await admin.createKey('analyst', 'BY'));
    const a = await analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'shared' });
    const b = await other.post('/api/v1/incidents', body(), { 'idempotency-key': 'shared' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('forgets a key after 24 hours', async () => {
    const first = await analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'old' });
    await env.db.query(
      "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'",
    );
    const second = await analyst.post('/api/v1/incidents', body({ severity: 'low' }), {
      'idempotency-key': 'old',
    });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    const rows = await env.db.query(
      "SELECT expires_at > now() + interval '23 hours' AS fresh FROM idempotency_keys WHERE key = 'old'",
    );
    expect(rows.rows).toEqual([{ fresh: true }]);
  });

  it('isolates a failing filing among concurrent ones: the rest commit, numbered without gaps', async () => {
    await analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'mixed-422' });
    const [{ n: start }] = (
      await env.db.query('SELECT coalesce(max(last_value), 0)::int AS n FROM reference_counters')
    ).rows;
    const incidents = await count('incidents');
    const audit = await count('audit_log');
    // Filed together, these share batches with the reused keys that must fail or replay.
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        if (i % 10 === 3) {
          return analyst.post('/api/v1/incidents', body({ severity: 'low' }), {
            'idempotency-key': 'mixed-422',
          });
        }
        if (i % 10 === 6) {
          return analyst.post('/api/v1/incidents', body(), { 'idempotency-key': 'mixed-422' });
        }
        return analyst.post('/api/v1/incidents', body({ title: `mixed ${i}` }), {
          'idempotency-key': `mixed-new-${i}`,
        });
      }),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 422)).toHaveLength(3);
    expect(statuses.filter((s) => s === 201)).toHaveLength(27);
    const created = responses.filter(
      (r) => r.status === 201 && !r.headers.get('idempotent-replayed'),
    );
    expect(created).toHaveLength(24);
    expect(await count('incidents')).toBe(incidents + 24);
    expect(await count('audit_log')).toBe(audit + 24);
    const numbers = created.map((r) => Number(r.body.reference.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 24 }, (_, i) => start + i + 1));
    for (const r of created) {
      const { rows } = await env.db.query(
        `SELECT (SELECT count(*)::int FROM outbox WHERE incident_id = $1) AS outbox,
                (SELECT count(*)::int FROM timeline_events WHERE incident_id = $1) AS timeline,
                (SELECT count(*)::int FROM audit_log WHERE target_id = $1::text) AS audit`,
        [r.body.id],
      );
      expect(rows[0]).toEqual({ outbox: 1, timeline: 2, audit: 1 });
    }
  });

  it('stores nothing for a request that failed validation', async () => {
    const bad = await analyst.post('/api/v1/incidents', body({ tlp: 'TLP:PINK' }), {
      'idempotency-key': 'invalid-first',
    });
    expect(bad.status).toBe(400);
    const good = await analyst.post('/api/v1/incidents', body(), {
      'idempotency-key': 'invalid-first',
    });
    expect(good.status).toBe(201);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('purges expired keys in the background (at start, then every minute), keeps live ones', async () => {
    const insert = (key: string, expires: string) =>
      env.db.query(
        `INSERT INTO idempotency_keys (api_key_id, key, request_hash, expires_at, status_code, response)
         VALUES (gen_random_uuid(), $1, repeat('0', 64), now() + $2::interval, 201, '{}')`,
        [key, expires],
      );
    await insert('purge-expired', '-1 hour');
    await insert('purge-live', '1 hour');
    // No request touches these keys: only the purge loop can remove the expired one.
    await service.stop();
    service = await startService(env);
    await waitFor(
      async () =>
        (await env.db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'purge-expired'`))
          .rowCount === 0,
      { what: 'expired key purged' },
    );
    const live = await env.db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'purge-live'`);
    expect(live.rowCount).toBe(1);
  });
});
