import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';

const TAXII = 'application/taxii+json;version=2.1';
type Obj = Record<string, any>;

/**
 * Incidents' STIX objects are indexed after commit (stix_pending → stix_objects, migration
 * StixIndexQueue). Only an API instance runs at first, so nothing indexes in the background:
 * what a reader sees it caught up itself. Then a worker empties the queue with no reader.
 */
describe('STIX index: readers catch up, the worker indexes in the background', () => {
  let env: TestEnv;
  let api: Service;
  let worker: Service | undefined;
  let coordinator: Api;
  let analyst: Api;

  beforeAll(async () => {
    env = await createTestEnv('stix_index');
    api = await startService(env, { role: 'api' });
    const admin = new Api(api.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analyst = admin.as(await admin.createKey('analyst', 'KZ'));
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await env?.cleanup();
  });

  /** Rows in the queue, all or of one incident. */
  const pending = async (incidentId?: string): Promise<number> =>
    (
      await env.db.query(
        'SELECT count(*)::int AS n FROM stix_pending WHERE $1::uuid IS NULL OR incident_id = $1',
        [incidentId ?? null],
      )
    ).rows[0].n;

  const file = async (title: string, domain: string): Promise<Obj> => {
    const res = await analyst.post('/api/v1/incidents', {
      title,
      category: 'fraud/phishing',
      severity: 'medium',
      tlp: 'TLP:GREEN',
      sector: 'finance',
      observables: [{ type: 'domain', value: domain }],
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('TAXII, the export and the MISP feed each show an incident filed just before, with no indexer running', async () => {
    const first = await file('Listed at once', 'listed.example');
    expect(await pending()).toBe(1);
    const list = await coordinator.get('/taxii2/ccc/collections/', { accept: TAXII });
    const community = list.body.collections.find((c: Obj) => c.alias === 'community').id;
    const objects = await coordinator.get(
      `/taxii2/ccc/collections/${community}/objects/?match[type]=incident`,
      { accept: TAXII },
    );
    expect(objects.status).toBe(200);
    expect(objects.body.objects.map((o: Obj) => o.id)).toContain(`incident--${first.id}`);
    expect(await pending()).toBe(0);

    const second = await file('Exported at once', 'exported.example');
    const exported = await analyst.get(`/api/v1/incidents/${second.id}/export?format=stix`);
    expect(exported.status).toBe(200);
    const types = exported.body.objects.map((o: Obj) => o.type);
    expect(types).toEqual(expect.arrayContaining(['incident', 'indicator', 'relationship']));

    const third = await file('In the feed at once', 'feed.example');
    const manifest = await analyst.get('/feeds/misp/community/manifest.json');
    expect(manifest.status).toBe(200);
    expect(Object.keys(manifest.body)).toContain(third.id);
    expect(await pending()).toBe(0);
  });

  it('a worker indexes what is pending with no reader asking', async () => {
    const filed = await file('Indexed unasked', 'unasked.example');
    expect(await pending(filed.id)).toBe(1);
    worker = await startService(env, { role: 'worker' });
    const kinds = await waitFor(
      async () => {
        const { rows } = await env.db.query(
          'SELECT kind FROM stix_objects WHERE incident_id = $1 ORDER BY date_added',
          [filed.id],
        );
        return rows.length === 3 && rows.map((r: Obj) => r.kind);
      },
      { what: 'the indexer to add the objects', timeoutMs: 30_000 },
    );
    expect(kinds).toEqual(['incident', 'indicator', 'relationship']);
    expect(await pending(filed.id)).toBe(0);
  });
});
