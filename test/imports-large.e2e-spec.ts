import { randomUUID } from 'node:crypto';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';

/**
 * A body of CCC_IMPORT_MAX_BYTES (32 MiB, the contract's default) made of a million small
 * objects: the API parses it in its helper thread and stores the bytes as received, the job
 * maps it in the worker's, and the service (128 MB heaps) stays up. How long /health/live
 * waits meanwhile is measured by bench/imports.bench.js, not asserted here.
 */
describe('Imports: a 32 MiB body', () => {
  let env: TestEnv;
  let service: Service;
  let analyst: Api;

  beforeAll(async () => {
    env = await createTestEnv('imports_large');
    service = await startService(env);
    const admin = new Api(service.url);
    analyst = admin.as(await admin.createKey('analyst', 'AM'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('is accepted, imported and leaves the service up', async () => {
    const now = new Date().toISOString();
    const indicator = {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created: now,
      modified: now,
      pattern: "[domain-name:value = 'large-body.example']",
      pattern_type: 'stix',
      valid_from: now,
    };
    const head = JSON.stringify({
      type: 'bundle',
      id: `bundle--${randomUUID()}`,
      objects: [indicator],
    }).slice(0, -3);
    // The indicator gets a custom property: a million small objects with distinct strings,
    // just under 32 MiB of text.
    const budget = 32 * 1024 * 1024 - head.length - 64;
    const items: string[] = [];
    for (let i = 0, size = 0; ; i++) {
      const item = `{"k":${i},"v":"value-${i.toString(36).padStart(8, '0')}"}`;
      if (size + item.length + 1 > budget) break;
      items.push(item);
      size += item.length + 1;
    }
    const text = `${head},"x_padding":[${items.join(',')}]}]}`;
    expect(text.length).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(text.length).toBeGreaterThan(31 * 1024 * 1024);

    const res = await analyst.request('POST', '/api/v1/imports/stix?tlp=TLP:GREEN', text, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(202);
    const done = await waitFor(
      async () => {
        const status = await analyst.get(`/api/v1/imports/${res.body.id}`);
        return status.body.status !== 'pending' && status.body;
      },
      { what: 'the import to finish', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(done).toMatchObject({ status: 'complete', total: 1, imported: 1 });
    expect(service.process.exitCode).toBeNull();
    expect((await analyst.get('/health/ready')).status).toBe(200);
    const incident = await analyst.get(`/api/v1/incidents/${done.items[0].incidentId}`);
    expect(incident.body.observables).toEqual([
      expect.objectContaining({ type: 'domain', value: 'large-body.example' }),
    ]);
  });
  it('refuses a 32 MiB body of eleven million empty arrays (400, in the caller language), storing nothing', async () => {
    const text = `{"objects":[${'[],'.repeat(Math.floor((32 * 1024 * 1024 - 20) / 3) - 1)}[]]}`;
    const res = await analyst.request('POST', '/api/v1/imports/stix?tlp=TLP:GREEN', text, {
      'content-type': 'application/json',
      'accept-language': 'ru',
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('Тело запроса слишком велико или слишком сложно для обработки');
    const { rows } = await env.db.query(
      "SELECT count(*)::int AS n FROM imports WHERE format = 'stix'",
    );
    expect(rows[0].n).toBe(1); // the import of the test before, only
    expect(service.process.exitCode).toBeNull();
    expect((await analyst.get('/health/ready')).status).toBe(200);
  });
});
