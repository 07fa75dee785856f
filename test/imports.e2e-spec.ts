import { readFileSync } from 'node:fs';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

type Obj = Record<string, any>;

const fixture = (path: string): Obj =>
  JSON.parse(readFileSync(`test/fixtures/interchange/${path}`, 'utf8'));
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const TLP1_AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82';
const TLP1_RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const TLP2_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';

/** A report with indicators: one OR pattern, one unsupported pattern. */
function reportBundle(n: number, modified: string, extra: Obj[] = [], marking = TLP2_GREEN): Obj {
  const report = `report--${uuid(n)}`;
  const indicators = [
    {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuid(n + 1)}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      pattern: "[domain-name:value = 'c2.example.kz' OR ipv4-addr:value = '203.0.113.5']",
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
      object_marking_refs: [marking],
    },
    {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuid(n + 2)}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      pattern: "[file:name MATCHES '^evil.*\\\\.exe$']",
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
      object_marking_refs: [marking],
    },
    ...extra,
  ];
  return {
    type: 'bundle',
    id: `bundle--${uuid(n + 9)}`,
    objects: [
      {
        type: 'report',
        spec_version: '2.1',
        id: report,
        created: '2026-01-01T00:00:00.000Z',
        modified,
        published: '2026-01-01T00:00:00.000Z',
        name: `Report ${n}`,
        object_refs: indicators.map((i) => i.id),
        object_marking_refs: [marking],
      },
      ...indicators,
    ],
  };
}

/**
 * Imports (CONTRACT Interchange, INTEROP 1.1 add objects, 1.2, 1.3): every shared sample,
 * the hard cases, idempotency and newer versions, routing and notification as filings,
 * visibility of the status, limits and bad input, TAXII add objects, round trips.
 */
describe('Imports (STIX 2.1, MISP, TAXII add objects)', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let admin: Api;
  let by: Api;
  let kz: Api;
  let coordinator: Api;

  beforeAll(async () => {
    env = await createTestEnv('imports');
    receiver = await WebhookReceiver.start();
    service = await startService(env, {
      // long_event.json maps to 250 observables: one over the cap (INTEROP M-5).
      env: { CCC_IMPORT_MAX_BYTES: '300000', CCC_IMPORT_MAX_OBSERVABLES: '249' },
    });
    admin = new Api(service.url);
    by = admin.as(await admin.createKey('analyst', 'BY'));
    kz = admin.as(await admin.createKey('analyst', 'KZ'));
    coordinator = admin.as(await admin.createKey('coordinator'));
  });

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  /** Posts an import and waits until it is no longer pending; returns its status. */
  async function imported(api: Api, path: string, body: unknown): Promise<Obj> {
    const res = await api.post(path, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'pending' });
    return eventually(async () => {
      const s = await api.get(`/api/v1/imports/${res.body.id}`);
      expect(s.status).toBe(200);
      return s.body.status === 'pending' ? null : (s.body as Obj);
    }, `import ${res.body.id}`);
  }

  const incident = async (api: Api, id: string) => {
    const res = await api.get(`/api/v1/incidents/${id}`);
    expect(res.status).toBe(200);
    return res.body as Obj;
  };
  const values = (i: Obj) => i.observables.map((o: Obj) => `${o.type}:${o.value}`).sort();
  const itemsOf = (status: Obj, outcome: string) =>
    status.items.filter((i: Obj) => i.outcome === outcome);

  it('imports every shared STIX sample with the expected outcomes', async () => {
    const expected: Record<string, { incidents: number; tlp: string | null }> = {
      'apt1.json': { incidents: 1, tlp: null },
      'poisonivy.json': { incidents: 1, tlp: null },
      'incident_sample_activity.json': { incidents: 1, tlp: null },
      'indicators-for-C2-with-COA.json': { incidents: 1, tlp: null },
      'malicious-email-indicator-with-attachment.json': { incidents: 1, tlp: null },
      'malware-indicator-for-file-hash.json': { incidents: 1, tlp: null },
      'sighting-of-an-indicator.json': { incidents: 1, tlp: null },
      'using-marking-definitions.json': { incidents: 1, tlp: 'TLP:AMBER' },
      'using-granular-markings.json': { incidents: 1, tlp: 'TLP:RED' },
    };
    for (const [name, want] of Object.entries(expected)) {
      // Without a tlp default, unmarked samples fail: a missing TLP is never TLP:CLEAR.
      const bare = await imported(by, '/api/v1/imports/stix', fixture(`stix/${name}`));
      expect(bare.format).toBe('stix');
      expect(bare.total).toBe(bare.items.length);
      if (want.tlp === null) {
        expect(bare.failed).toBe(want.incidents);
        expect(itemsOf(bare, 'failed')[0].message).toMatch(/no TLP marking/);
        const withDefault = await imported(
          by,
          '/api/v1/imports/stix?tlp=TLP:AMBER&category=malicious-code/c2-server',
          fixture(`stix/${name}`),
        );
        expect(withDefault.imported).toBe(want.incidents);
        const [item] = itemsOf(withDefault, 'imported');
        const filed = await incident(by, item.incidentId);
        expect(filed).toMatchObject({ tlp: 'TLP:AMBER', category: 'malicious-code/c2-server' });
      } else {
        expect(bare).toMatchObject({ status: 'complete', imported: want.incidents, failed: 0 });
        const filed = await incident(by, itemsOf(bare, 'imported')[0].incidentId);
        expect(filed.tlp).toBe(want.tlp);
      }
      // Counts add up: every item has one outcome.
      const sum = bare.imported + bare.updated + bare.unchanged + bare.skipped + bare.failed;
      expect(sum).toBe(bare.total);
    }
  });

  it('maps the poisonivy report: OR patterns, CVEs, a malformed domain skipped with its reason', async () => {
    const status = await imported(
      by,
      '/api/v1/imports/stix?tlp=TLP:GREEN',
      fixture('stix/poisonivy.json'),
    );
    // Imported before with another default TLP: the same version with other content updates.
    const [item] = itemsOf(status, 'updated');
    const filed = await incident(by, item.incidentId);
    expect(values(filed)).toEqual(
      expect.arrayContaining(['domain:www.webserver.dynssl.com', 'ipv4:113.10.246.30']),
    );
    expect(filed.observables.some((o: Obj) => o.type === 'cve')).toBe(true);
    expect(itemsOf(status, 'skipped').map((i: Obj) => i.message)).toEqual(
      expect.arrayContaining([
        'not a valid domain: domain autuo.xicp.net',
        'objects of type malware are not mapped to incidents',
      ]),
    );
  });

  it('imports every shared MISP sample; pe-section hashes and deleted attributes skipped', async () => {
    for (const name of [
      '57c4445b-c548-4654-af0b-4be3950d210f.json',
      'to_delete1.json',
      'existing_event.json',
      'mainly_objects_2.json',
    ]) {
      const status = await imported(by, '/api/v1/imports/misp', fixture(`misp/${name}`));
      expect(status).toMatchObject({ format: 'misp', status: 'complete', imported: 1, failed: 0 });
      const filed = await incident(by, itemsOf(status, 'imported')[0].incidentId);
      // tlp:white is TLP:CLEAR.
      expect(filed.tlp).toBe('TLP:CLEAR');
      if (name === 'mainly_objects_2.json') {
        expect(filed.observables.filter((o: Obj) => o.type === 'md5')).toHaveLength(2);
        expect(
          itemsOf(status, 'skipped').filter(
            (i: Obj) => i.message === 'hash of a PE section, not of a file',
          ),
        ).toHaveLength(8);
      }
    }
    // Over CCC_IMPORT_MAX_OBSERVABLES: the item fails, saying why; nothing is filed.
    const long = await imported(by, '/api/v1/imports/misp', fixture('misp/long_event.json'));
    expect(long).toMatchObject({ status: 'complete', imported: 0, failed: 1 });
    expect(itemsOf(long, 'failed')[0]).toEqual({
      ref: '57153590-f73c-49fa-be4b-4737950d210f',
      outcome: 'failed',
      incidentId: null,
      message: '250 observables, more than the 249 an imported incident may carry',
    });
    const event = fixture('misp/57c4445b-c548-4654-af0b-4be3950d210f.json');
    event.Event.uuid = uuid(700);
    event.Event.Attribute[0].deleted = true;
    event.Event.Attribute.push({
      type: 'domain',
      value: 'deleted.example',
      deleted: true,
      uuid: uuid(701),
    });
    const status = await imported(by, '/api/v1/imports/misp', event);
    expect(status.items).toEqual(
      expect.arrayContaining([
        { ref: uuid(701), outcome: 'skipped', incidentId: null, message: 'deleted in the source' },
      ]),
    );
    const filed = await incident(by, itemsOf(status, 'imported')[0].incidentId);
    expect(values(filed)).not.toContain('domain:deleted.example');
  });

  it('files an imported incident as a filing: routed, dispatched, its webhook delivered', async () => {
    const endpoint = receiver.endpoint();
    await setContacts(admin, 'KZ', [
      { type: 'webhook', url: endpoint.url, secret: endpoint.secret },
    ]);
    const status = await imported(
      by,
      '/api/v1/imports/stix',
      reportBundle(100, '2026-01-01T00:00:00.000Z'),
    );
    expect(status).toMatchObject({ imported: 1, failed: 0 });
    const [item] = itemsOf(status, 'imported');
    expect(item.ref).toBe(`report--${uuid(100)}`);
    // The unsupported pattern is skipped with its reason, never silently.
    expect(status.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ref: `indicator--${uuid(102)}`,
          outcome: 'skipped',
          message: expect.stringMatching(/no comparison of the pattern can be mapped/),
        }),
      ]),
    );
    const filed = await incident(by, item.incidentId);
    expect(filed).toMatchObject({
      title: 'Report 100',
      tlp: 'TLP:GREEN',
      reportingState: 'BY',
      routing: { dispatchedTo: ['KZ'] },
    });
    expect(values(filed)).toEqual(['domain:c2.example.kz', 'ipv4:203.0.113.5']);
    const request = await eventually(
      () => endpoint.requests.find((r) => r.json?.data?.incident?.id === item.incidentId),
      'the incident.routed webhook to KZ',
    );
    expect(request.verified).toBe(true);
    expect(request.json.type).toBe('incident.routed');
    await eventually(async () => {
      const i = await incident(by, item.incidentId);
      return i.dispatches[0]?.status === 'notified' ? i : null;
    }, 'the KZ dispatch notified');
  });

  it('re-importing the same content changes nothing; a newer version updates the incident', async () => {
    const first = await imported(
      by,
      '/api/v1/imports/stix',
      reportBundle(200, '2026-01-01T00:00:00.000Z'),
    );
    const incidentId = itemsOf(first, 'imported')[0].incidentId;
    const again = await imported(
      by,
      '/api/v1/imports/stix',
      reportBundle(200, '2026-01-01T00:00:00.000Z'),
    );
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 1 });
    expect(itemsOf(again, 'unchanged')[0]).toMatchObject({ incidentId });
    const before = (await by.get(`/api/v1/incidents?reportingState=BY&limit=200`)).body.items
      .length;

    const newer = reportBundle(200, '2026-02-01T00:00:00.000Z', [
      {
        type: 'ipv4-addr',
        spec_version: '2.1',
        id: `ipv4-addr--${uuid(250)}`,
        value: '198.51.100.99',
      },
    ]);
    newer.objects[0].object_refs.push(`ipv4-addr--${uuid(250)}`);
    newer.objects[0].name = 'Report 200, revised';
    const updated = await imported(by, '/api/v1/imports/stix', newer);
    expect(updated).toMatchObject({ imported: 0, updated: 1 });
    expect(itemsOf(updated, 'updated')[0].incidentId).toBe(incidentId);
    const filed = await incident(by, incidentId);
    expect(filed.title).toBe('Report 200, revised');
    expect(values(filed)).toContain('ipv4:198.51.100.99');
    const after = (await by.get(`/api/v1/incidents?reportingState=BY&limit=200`)).body.items.length;
    expect(after).toBe(before);
    const timeline = (await by.get(`/api/v1/incidents/${incidentId}/timeline`)).body.items ?? [];
    expect(JSON.stringify(timeline)).toContain('reclassified');
    // The older version again: nothing changes back.
    const older = await imported(
      by,
      '/api/v1/imports/stix',
      reportBundle(200, '2026-01-01T00:00:00.000Z'),
    );
    expect(older).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await incident(by, incidentId)).title).toBe('Report 200, revised');
  });

  it('shows an import only to its state and to coordinators; coordinators name the state', async () => {
    const res = await by.post(
      '/api/v1/imports/stix',
      reportBundle(300, '2026-01-01T00:00:00.000Z'),
    );
    expect(res.status).toBe(202);
    expect((await by.get(`/api/v1/imports/${res.body.id}`)).status).toBe(200);
    expect((await coordinator.get(`/api/v1/imports/${res.body.id}`)).status).toBe(200);
    const hidden = await kz.get(`/api/v1/imports/${res.body.id}`);
    expect(hidden.status).toBe(404);
    const missing = await coordinator.post(
      '/api/v1/imports/stix',
      reportBundle(301, '2026-01-01T00:00:00.000Z'),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'reportingState', message: expect.any(String) }]);
    const forKz = await coordinator.post(
      '/api/v1/imports/stix?reportingState=KZ',
      reportBundle(302, '2026-01-01T00:00:00.000Z'),
    );
    expect(forKz.status).toBe(202);
    expect((await kz.get(`/api/v1/imports/${forKz.body.id}`)).status).toBe(200);
    expect((await by.get(`/api/v1/imports/${forKz.body.id}`)).status).toBe(404);
    const notOwn = await by.post(
      '/api/v1/imports/stix?reportingState=KZ',
      reportBundle(303, '2026-01-01T00:00:00.000Z'),
    );
    expect(notOwn.status).toBe(400);
    expect(
      (await admin.post('/api/v1/imports/stix', reportBundle(304, '2026-01-01T00:00:00.000Z')))
        .status,
    ).toBe(403);
  });

  it('refuses bad input with 400, 413 and 415, storing nothing', async () => {
    const count = async () =>
      Number((await env.db.query('SELECT count(*) FROM imports')).rows[0].count);
    const before = await count();
    const malformed = await by.request('POST', '/api/v1/imports/stix', '{"type": "bundle",', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    const wrongType = await by.request('POST', '/api/v1/imports/misp', '{}', {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(415);
    const notMisp = await by.post('/api/v1/imports/misp', { type: 'bundle', objects: [] });
    expect(notMisp.status).toBe(400);
    expect(notMisp.body.errors).toEqual([
      { field: 'body', message: expect.stringMatching(/MISP event/) },
    ]);
    const notStix = await by.post('/api/v1/imports/stix', { Event: { uuid: 'x', info: 'y' } });
    expect(notStix.status).toBe(400);
    const badDefault = await by.post(
      '/api/v1/imports/stix?tlp=TLP:PURPLE',
      reportBundle(400, '2026-01-01T00:00:00.000Z'),
    );
    expect(badDefault.status).toBe(400);
    expect(badDefault.body.errors[0].field).toBe('tlp');
    // Over CCC_IMPORT_MAX_BYTES (300,000 here) but well under the 1 MiB of other routes… and
    // a body between the two is accepted here: the route has its own limit.
    const big = reportBundle(401, '2026-01-01T00:00:00.000Z');
    big.objects[0].description = 'x'.repeat(310_000);
    expect((await by.post('/api/v1/imports/stix', big)).status).toBe(413);
    expect(await count()).toBe(before);
    const fits = fixture('misp/long_event.json'); // 150 KB
    expect((await by.post('/api/v1/imports/misp', fits)).status).toBe(202);
  });

  it('round trip: an exported incident imports with the same observables and TLP', async () => {
    const filed = await by.post('/api/v1/incidents', {
      title: 'Round trip',
      category: 'fraud/phishing',
      severity: 'high',
      tlp: 'TLP:AMBER+STRICT',
      sector: 'finance',
      observables: [
        { type: 'domain', value: 'пример.испытание' },
        { type: 'ipv6', value: '2001:DB8::7' },
        { type: 'url', value: "https://x.example/a'b" },
        { type: 'email', value: 'o.brien@bank.example' },
        { type: 'md5', value: 'D41D8CD98F00B204E9800998ECF8427E' },
        { type: 'sha1', value: 'a'.repeat(40) },
        { type: 'sha256', value: 'b'.repeat(64) },
        { type: 'cve', value: 'cve-2026-1234' },
        { type: 'asn', value: 'AS64500' },
        { type: 'ipv4', value: '198.51.100.7' },
      ],
    });
    expect(filed.status).toBe(201);
    const exported = await by.get(`/api/v1/incidents/${filed.body.id}/export?format=stix`);
    expect(exported.status).toBe(200);
    const status = await imported(kz, '/api/v1/imports/stix', exported.body);
    expect(status).toMatchObject({ imported: 1, failed: 0 });
    const copy = await incident(kz, itemsOf(status, 'imported')[0].incidentId);
    expect(copy.tlp).toBe('TLP:AMBER+STRICT');
    expect(values(copy)).toEqual(values(filed.body));

    const misp = await by.get(`/api/v1/incidents/${filed.body.id}/export?format=misp`);
    expect(misp.status).toBe(200);
    const fromMisp = await imported(kz, '/api/v1/imports/misp', misp.body);
    const mispCopy = await incident(kz, itemsOf(fromMisp, 'imported')[0].incidentId);
    expect(mispCopy.tlp).toBe('TLP:AMBER+STRICT');
    expect(values(mispCopy)).toEqual(values(filed.body));
  });

  it('marks with TLP 1.0 ids and granular markings: most restrictive wins', async () => {
    const bundle = reportBundle(500, '2026-01-01T00:00:00.000Z', [], TLP1_AMBER);
    bundle.objects[1].granular_markings = [{ marking_ref: TLP1_RED, selectors: ['pattern'] }];
    const status = await imported(by, '/api/v1/imports/stix', bundle);
    const filed = await incident(by, itemsOf(status, 'imported')[0].incidentId);
    expect(filed.tlp).toBe('TLP:RED');
    // RED: only affected states get a dispatch; the constituency match is only suggested.
    expect(filed.routing).toEqual({ dispatchedTo: [], suggested: ['KZ'] });
    expect((await kz.get(`/api/v1/incidents/${filed.id}`)).status).toBe(404);
  });

  describe('TAXII add objects', () => {
    const TAXII = 'application/taxii+json;version=2.1';
    const root = '/taxii2/ccc';
    let collections: Obj[];
    const byAlias = (alias: string) => collections.find((c) => c.alias === alias)!;
    const add = (api: Api, collection: string, body: unknown, type = TAXII) =>
      api.request('POST', `${root}/collections/${collection}/objects/`, JSON.stringify(body), {
        'content-type': type,
        accept: TAXII,
      });

    /** The status invariants taxii2-client checks (INTEROP T-ADD-3). */
    function checkStatus(status: Obj) {
      expect(status).toMatchObject({
        id: expect.any(String),
        status: expect.stringMatching(/^(complete|pending)$/),
        total_count: expect.any(Number),
        success_count: expect.any(Number),
        failure_count: expect.any(Number),
        pending_count: expect.any(Number),
      });
      expect(status.success_count + status.failure_count + status.pending_count).toBe(
        status.total_count,
      );
      expect(status.successes?.length ?? 0).toBe(status.success_count);
      expect(status.failures?.length ?? 0).toBe(status.failure_count);
      expect(status.pendings?.length ?? 0).toBe(status.pending_count);
      for (const list of ['successes', 'failures', 'pendings']) {
        if (list in status) expect(status[list].length).toBeGreaterThan(0);
      }
    }

    beforeAll(async () => {
      const res = await by.get(`${root}/collections/`, { accept: TAXII });
      collections = res.body.collections;
      expect(collections.map((c: Obj) => [c.alias, c.can_write]).sort()).toEqual([
        ['community', false],
        ['public', false],
        ['state-BY', true],
      ]);
      const all = await coordinator.get(`${root}/collections/`, { accept: TAXII });
      expect(all.body.collections.filter((c: Obj) => c.can_write)).toHaveLength(6);
    });

    it('T-ADD-1, T-ADD-3, T-ADD-4: 202 with a status resource whose counts add up, then complete', async () => {
      const bundle = reportBundle(600, '2026-01-01T00:00:00.000Z');
      const envelope = { objects: [...bundle.objects, { type: 'malware', id: 'not-an-id' }] };
      const res = await add(by, byAlias('state-BY').id, envelope);
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toBe(TAXII);
      checkStatus(res.body);
      expect(res.body.total_count).toBe(4);
      const done = await eventually(async () => {
        const s = await by.get(`${root}/status/${res.body.id}/`, { accept: TAXII });
        expect(s.status).toBe(200);
        expect(s.headers.get('content-type')).toBe(TAXII);
        checkStatus(s.body);
        return s.body.status === 'complete' ? s.body : null;
      }, 'the TAXII status complete');
      expect(done).toMatchObject({ total_count: 4, success_count: 2, failure_count: 2 });
      expect(done.failures.map((f: Obj) => f.id).sort()).toEqual(
        [`indicator--${uuid(602)}`, 'objects[3]'].sort(),
      );
      expect(done.successes).toEqual(
        expect.arrayContaining([
          { id: `report--${uuid(600)}`, version: '2026-01-01T00:00:00.000Z' },
        ]),
      );
      // The same import code: the report became an incident filed by BY.
      const imported = (await by.get(`/api/v1/imports/${res.body.id}`)).body;
      expect(imported).toMatchObject({ format: 'taxii', imported: 1 });
      const filed = await incident(by, itemsOf(imported, 'imported')[0].incidentId);
      expect(filed).toMatchObject({ reportingState: 'BY', tlp: 'TLP:GREEN' });
      // T-ADD-5: the same objects again are successes (unchanged), not failures.
      const again = await add(by, byAlias('state-BY').id, envelope);
      const second = await eventually(async () => {
        const s = await by.get(`${root}/status/${again.body.id}/`);
        return s.body.status === 'complete' ? s.body : null;
      }, 'the second status complete');
      expect(second).toMatchObject({ success_count: 2, failure_count: 2 });
      // Another state never sees the status.
      const hidden = await kz.get(`${root}/status/${res.body.id}/`);
      expect(hidden.status).toBe(404);
      expect(hidden.headers.get('content-type')).toBe(TAXII);
      expect(hidden.body.http_status).toBe('404');
    });

    it('T-ADD-2: can_write rules (403, 404), 415, 422, 413, with TAXII error bodies', async () => {
      const bundle = reportBundle(700, '2026-01-01T00:00:00.000Z');
      const expectTaxiiError = (res: Obj, status: number) => {
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toBe(TAXII);
        expect(res.body).toMatchObject({ title: expect.any(String), http_status: String(status) });
      };
      const count = async () =>
        Number((await env.db.query('SELECT count(*) FROM imports')).rows[0].count);
      const before = await count();
      expectTaxiiError(await add(by, byAlias('community').id, bundle), 403);
      expectTaxiiError(await add(admin, byAlias('state-BY').id, bundle), 403);
      // state-KZ is not even readable by BY's analysts: as absent.
      const kzCollection = (await coordinator.get(`${root}/collections/`)).body.collections.find(
        (c: Obj) => c.alias === 'state-KZ',
      );
      expectTaxiiError(await add(by, kzCollection.id, bundle), 404);
      expectTaxiiError(await add(by, byAlias('state-BY').id, bundle, 'application/json'), 415);
      expectTaxiiError(await add(by, byAlias('state-BY').id, { Event: {} }), 422);
      const big = reportBundle(701, '2026-01-01T00:00:00.000Z');
      big.objects[0].description = 'x'.repeat(310_000);
      expectTaxiiError(await add(by, byAlias('state-BY').id, big), 413);
      expect(await count()).toBe(before);
      // A coordinator writes for the state of the collection; Basic with a lower-case scheme.
      const key = coordinator.key;
      const basic = await new Api(service.url, '').request(
        'POST',
        `${root}/collections/${kzCollection.id}/objects/`,
        JSON.stringify(bundle),
        {
          'content-type': TAXII,
          authorization: `basic ${Buffer.from(`x:${key}`).toString('base64')}`,
        },
      );
      expect(basic.status).toBe(202);
      const status = await eventually(async () => {
        const s = await coordinator.get(`/api/v1/imports/${basic.body.id}`);
        return s.body.status === 'complete' ? s.body : null;
      }, 'the coordinator import');
      const filed = await incident(coordinator, itemsOf(status, 'imported')[0].incidentId);
      expect(filed.reportingState).toBe('KZ');
    });
  });

  it('a crash mid-import loses nothing reported imported, and the rest resumes once', async () => {
    // 150 reports, one observable each: one import, filed item by item.
    const reports = Array.from({ length: 150 }, (_, n) => {
      const id = `report--${uuid(10_000 + n)}`;
      const ip = `ipv4-addr--${uuid(20_000 + n)}`;
      return [
        {
          type: 'report',
          spec_version: '2.1',
          id,
          created: '2026-01-01T00:00:00.000Z',
          modified: '2026-01-01T00:00:00.000Z',
          published: '2026-01-01T00:00:00.000Z',
          name: `Crash ${n}`,
          object_refs: [ip],
          object_marking_refs: [TLP2_GREEN],
        },
        { type: 'ipv4-addr', spec_version: '2.1', id: ip, value: `192.0.2.${n}` },
      ];
    }).flat();
    const res = await by.post('/api/v1/imports/stix', {
      type: 'bundle',
      id: `bundle--${uuid(30_000)}`,
      objects: reports,
    });
    expect(res.status).toBe(202);
    const importId = res.body.id;
    const itemCount = async () =>
      Number(
        (await env.db.query('SELECT count(*) FROM import_items WHERE import_id = $1', [importId]))
          .rows[0].count,
      );
    await eventually(async () => (await itemCount()) > 0, 'the first item recorded');
    await service.kill();
    // Everything recorded as imported is an incident, with its observable.
    const recorded = (
      await env.db.query(
        `SELECT i.incident_id, o.value FROM import_items i
         LEFT JOIN incident_observables o ON o.incident_id = i.incident_id
         WHERE i.import_id = $1 AND i.outcome = 'imported'`,
        [importId],
      )
    ).rows;
    for (const row of recorded) expect(row.value).toMatch(/^192\.0\.2\.\d+$/);

    service = await startService(env, {
      env: { CCC_IMPORT_MAX_BYTES: '300000', CCC_IMPORT_MAX_OBSERVABLES: '249' },
    });
    admin = new Api(service.url);
    by = admin.as(by.key);
    kz = admin.as(kz.key);
    coordinator = admin.as(coordinator.key);
    const done = await eventually(
      async () => {
        const s = await by.get(`/api/v1/imports/${importId}`);
        return s.body.status === 'complete' ? s.body : null;
      },
      'the import resumed and complete',
      120_000,
    );
    expect(done).toMatchObject({ total: 150, imported: 150, failed: 0 });
    // Each report became exactly one incident: nothing filed twice, nothing lost.
    const titles = (
      await env.db.query(`SELECT title, count(*)::int AS n FROM incidents
                          WHERE title LIKE 'Crash %' GROUP BY title`)
    ).rows;
    expect(titles).toHaveLength(150);
    expect(titles.every((t) => t.n === 1)).toBe(true);
  }, 180_000);
});
