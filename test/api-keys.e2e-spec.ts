import { Api } from './support/api.js';
import {
  ADMIN_KEY,
  createTestEnv,
  runToExit,
  Service,
  startService,
  TestEnv,
} from './support/service.js';

/** Every 8-character substring of `secret`. */
const pieces = (secret: string) =>
  Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));

describe('API keys, roles and start-up', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;

  beforeAll(async () => {
    env = await createTestEnv('apikeys');
    service = await startService(env);
    admin = new Api(service.url);
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('answers 401 problem+json without a key or with an unknown one', async () => {
    for (const key of ['', 'ccc_not-a-real-key']) {
      const res = await admin.as(key).get('/api/v1/api-keys');
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('creates a key once-shown, stores only its hash, lists it without the secret', async () => {
    const res = await admin.post('/api/v1/api-keys', {
      name: 'by-analyst',
      role: 'analyst',
      state: 'BY',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'by-analyst', role: 'analyst', state: 'BY' });
    expect(res.body.key).toMatch(/^ccc_[A-Za-z0-9_-]{43}$/);
    const stored = await env.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [res.body.id]);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows)).not.toContain(res.body.key);

    const list = await admin.get('/api/v1/api-keys?limit=200');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toBeDefined();
    expect(listed.key).toBeUndefined();
    expect(list.text).not.toContain(res.body.key);
  });

  it('stores and lists no part of any secret, the bootstrap admin key included', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'piece-check', role: 'admin' });
    expect(created.status).toBe(201);
    const secrets = [ADMIN_KEY, created.body.key as string];
    const list = await admin.get('/api/v1/api-keys?limit=200');
    expect(list.status).toBe(200);
    for (const item of list.body.items) {
      expect(Object.keys(item).sort()).toEqual([
        'createdAt',
        'id',
        'name',
        'revokedAt',
        'role',
        'state',
      ]);
    }
    // The stored rows, every column but the digest (hex, checked against the secret above).
    const rows = await env.db.query('SELECT * FROM api_keys');
    const stored = JSON.stringify(rows.rows.map(({ key_hash: _hash, ...rest }) => rest));
    const audit = JSON.stringify((await env.db.query('SELECT * FROM audit_log')).rows);
    for (const secret of secrets) {
      for (const piece of pieces(secret)) {
        expect(list.text).not.toContain(piece);
        expect(stored).not.toContain(piece);
        expect(audit).not.toContain(piece);
      }
    }
  });

  it('validates the state rule: required for analysts, refused for others', async () => {
    const missing = await admin.post('/api/v1/api-keys', { name: 'x', role: 'analyst' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'state' })]),
    );
    const extra = await admin.post('/api/v1/api-keys', {
      name: 'x',
      role: 'coordinator',
      state: 'RU',
    });
    expect(extra.status).toBe(400);
    const unknown = await admin.post('/api/v1/api-keys', {
      name: 'x',
      role: 'admin',
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'colour' })]),
    );
  });

  it('answers 403 to a role that may not call the route', async () => {
    const analyst = admin.as(await admin.createKey('analyst', 'KZ'));
    const res = await analyst.get('/api/v1/api-keys');
    expect(res.status).toBe(403);
    expect(res.body.status).toBe(403);
  });

  it('revokes a key at once', async () => {
    const created = await admin.post('/api/v1/api-keys', { name: 'temp', role: 'coordinator' });
    const coordinator = admin.as(created.body.key);
    expect((await coordinator.get('/api/v1/api-keys')).status).toBe(403);
    expect((await admin.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await coordinator.get('/api/v1/api-keys')).status).toBe(401);
    expect(
      (await admin.delete('/api/v1/api-keys/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
  });

  it('serves health, metrics and the OpenAPI document without a key', async () => {
    const anonymous = admin.as('');
    expect((await anonymous.get('/health/live')).status).toBe(200);
    const ready = await anonymous.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    const metrics = await anonymous.get('/metrics');
    expect(metrics.text).toContain('http_requests_total');
    const docs = await anonymous.get('/docs-json');
    expect(docs.body.paths['/api/v1/api-keys']).toBeDefined();
  });

  it('guards the queue dashboard: admins only', async () => {
    expect((await admin.as('').get('/admin/queues')).status).toBe(401);
    const coordinator = admin.as(await admin.createKey('coordinator'));
    expect((await coordinator.get('/admin/queues')).status).toBe(403);
    expect((await admin.get('/admin/queues')).status).toBe(200);
  });

  it('stops at start-up with the name of an invalid variable', async () => {
    for (const [name, value] of [
      ['CCC_ROLE', 'everything'],
      ['CCC_SLA_ACK_SECONDS', 'critical=soon'],
      ['PORT', 'eighty'],
    ]) {
      const { code, output } = await runToExit({ DATABASE_URL: env.databaseUrl, [name]: value });
      expect(code).not.toBe(0);
      expect(output).toContain(name);
    }
  });
});
