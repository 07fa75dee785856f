import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

interface Entry {
  id: string;
  seq: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  change: any;
  prevHash: string;
  hash: string;
}

describe('audit log: listing, verification and tamper detection', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  const keyIds: string[] = [];

  beforeAll(async () => {
    env = await createTestEnv('audit');
    service = await startService(env);
    admin = new Api(service.url);
    // Concurrent writers: the chain must still come out as one line.
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        admin.post('/api/v1/api-keys', { name: `audit-key-${i}`, role: 'coordinator' }),
      ),
    );
    for (const res of created) {
      expect(res.status).toBe(201);
      keyIds.push(res.body.id);
    }
    expect((await admin.delete(`/api/v1/api-keys/${keyIds[3]}`)).status).toBe(204);
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  async function all(query: string): Promise<Entry[]> {
    const out: Entry[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await admin.get(
        `/api/v1/audit?${query}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      out.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  it('lists entries newest first with the change parsed and the hashes', async () => {
    const res = await admin.get('/api/v1/audit?limit=3');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(3);
    const [first, second] = res.body.items as Entry[];
    expect(BigInt(first.seq)).toBeGreaterThan(BigInt(second.seq));
    expect(first).toMatchObject({ action: 'api-key.revoked', targetType: 'api-key' });
    expect(first.targetId).toBe(keyIds[3]);
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.prevHash).toBe(second.hash);
    expect(second.change).toEqual(expect.objectContaining({ role: 'coordinator' }));
    expect(typeof res.body.nextCursor).toBe('string');
  });

  it('pages through every entry exactly once in both orders', async () => {
    const { rows } = await env.db.query('SELECT seq FROM audit_log ORDER BY seq');
    const expected = rows.map((r) => String(r.seq));
    expect(expected.length).toBe(14); // bootstrap key + 12 created + 1 revoked
    expect((await all('sort=seq')).map((e) => e.seq)).toEqual(expected);
    expect((await all('sort=-seq')).map((e) => e.seq)).toEqual([...expected].reverse());
  });

  it('filters by action, actor, target and time', async () => {
    const revoked = await all('action=api-key.revoked');
    expect(revoked.map((e) => e.targetId)).toEqual([keyIds[3]]);

    const target = await all(`targetType=api-key&targetId=${keyIds[3]}`);
    expect(target.map((e) => e.action).sort()).toEqual(['api-key.created', 'api-key.revoked']);

    const system = await all('actor=system');
    expect(system).toHaveLength(1);
    expect(system[0].change).toEqual({ name: 'bootstrap-admin', role: 'admin' });
    const byAdmin = await all(`actor=${encodeURIComponent('admin:CCC:bootstrap-admin')}`);
    expect(byAdmin).toHaveLength(13);

    const ordered = await all('sort=seq');
    const middle = ordered[6];
    const from = await all(`sort=seq&from=${encodeURIComponent(middle.at)}`);
    expect(from.length).toBeGreaterThan(0);
    expect(from.every((e) => e.at >= middle.at)).toBe(true);
    expect(from.map((e) => e.seq)).toContain(middle.seq);
    const to = await all(`sort=seq&to=${encodeURIComponent(middle.at)}`);
    expect(to.every((e) => e.at < middle.at)).toBe(true);
    expect(from.length + to.length).toBe(ordered.length);

    expect(await all('targetType=incident')).toEqual([]);
  });

  it('validates queries and is for admins only', async () => {
    for (const query of ['limit=0', 'limit=201', 'from=yesterday', 'sort=at', 'colour=red']) {
      const res = await admin.get(`/api/v1/audit?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const badCursor = await admin.get('/api/v1/audit?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    const coordinator = admin.as(await admin.createKey('coordinator'));
    expect((await coordinator.get('/api/v1/audit')).status).toBe(403);
    expect((await coordinator.get('/api/v1/audit/verify')).status).toBe(403);
    expect((await admin.as('').get('/api/v1/audit/verify')).status).toBe(401);
  });

  it('verifies the intact chain and counts every entry', async () => {
    const res = await admin.get('/api/v1/audit/verify');
    const { rows } = await env.db.query('SELECT count(*)::int AS n FROM audit_log');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, count: rows[0].n });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through SQL', async () => {
    await expect(env.db.query(`UPDATE audit_log SET actor = 'x' WHERE seq = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(env.db.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(
      /append-only/,
    );
    await expect(env.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const { rows } = await env.db.query(`SELECT actor FROM audit_log WHERE seq = 2`);
    expect(rows[0].actor).not.toBe('x');
  });

  it('fails verification at exactly the row edited behind its back', async () => {
    const { rows } = await env.db.query(
      'SELECT seq, id FROM audit_log ORDER BY seq OFFSET 5 LIMIT 1',
    );
    const target = rows[0];
    const client = await env.db.connect();
    try {
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await client.query(
        `UPDATE audit_log SET change = '{"name":"forged","role":"admin"}' WHERE seq = $1`,
        [target.seq],
      );
    } finally {
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
      client.release();
    }
    const { rows: count } = await env.db.query('SELECT count(*)::int AS n FROM audit_log');
    const res = await admin.get('/api/v1/audit/verify');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      valid: false,
      count: count[0].n,
      firstInvalid: { seq: String(target.seq), id: target.id },
    });
    expect(res.body.firstInvalid.reason).toMatch(/hash/);
    // The trigger is back: the forged row cannot be edited again.
    await expect(
      env.db.query(`UPDATE audit_log SET change = '{}' WHERE seq = $1`, [target.seq]),
    ).rejects.toThrow(/append-only/);
  });
});

describe('audit chain with concurrent writers on two instances', () => {
  let env: TestEnv;
  const services: Service[] = [];

  beforeAll(async () => {
    env = await createTestEnv('audit-two');
    services.push(await startService(env, { role: 'api' }));
    services.push(await startService(env, { role: 'all' }));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await env?.cleanup();
  });

  it('links every entry of both into one valid chain', async () => {
    const [a, b] = services.map((s) => new Api(s.url));
    const analysts = await Promise.all([
      a.createKey('analyst', 'BY'),
      b.createKey('analyst', 'KZ'),
    ]);
    const incident = {
      title: 'Audit race',
      category: 'fraud/phishing',
      severity: 'low',
      tlp: 'TLP:GREEN',
      sector: 'energy',
      affectedStates: ['AM'],
    };
    // Intakes (one statement each) interleave with API-key writes (transactions) on both.
    const writes = Array.from({ length: 40 }, (_, i) => {
      const api = i % 2 === 0 ? a : b;
      if (i % 4 < 2) return api.as(analysts[i % 2]).post('/api/v1/incidents', incident);
      return api.post('/api/v1/api-keys', { name: `race-${i}`, role: 'coordinator' });
    });
    const responses = await Promise.all(writes);
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));

    const { rows } = await env.db.query(
      `SELECT action, target_id FROM audit_log WHERE action IN ('incident.created', 'api-key.created')`,
    );
    const logged = new Set(rows.map((r) => r.target_id));
    for (const res of responses) expect(logged.has(res.body.id)).toBe(true);
    const { rows: head } = await env.db.query(
      'SELECT h.seq, h.hash, l.hash AS last FROM audit_head h JOIN audit_log l ON l.seq = h.seq',
    );
    expect(head).toHaveLength(1);
    expect(head[0].hash).toBe(head[0].last);

    for (const api of [a, b]) {
      const verify = await api.get('/api/v1/audit/verify');
      expect(verify.status).toBe(200);
      const { rows: count } = await env.db.query('SELECT count(*)::int AS n FROM audit_log');
      expect(verify.body).toEqual({ valid: true, count: count[0].n });
    }
  });

  it('refuses to delete or rewind the head', async () => {
    await expect(env.db.query('DELETE FROM audit_head')).rejects.toThrow(/one entry forward/);
    await expect(env.db.query('UPDATE audit_head SET seq = seq - 1')).rejects.toThrow(
      /one entry forward/,
    );
    await expect(env.db.query('TRUNCATE audit_head')).rejects.toThrow(/one entry forward/);
  });
});
