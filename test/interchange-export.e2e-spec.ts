import { Api } from './support/api.js';
import { StixValidator } from './fixtures/stix/stix-validator.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const STIX_TYPE = 'application/stix+json;version=2.1';
const TLP2 = {
  'TLP:RED': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
  'TLP:GREEN': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP:CLEAR': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
} as const;
const ABSENT = '00000000-0000-4000-8000-000000000000';

type Obj = Record<string, any>;

/**
 * `GET /api/v1/incidents/:id/export?format=stix|misp`: the contract's shape, the visibility
 * rule (404 as for an absent incident), content trimmed for the caller, ids kept across
 * exports and versions.
 */
describe('Incident export (STIX 2.1, MISP)', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let by: Api;
  let kz: Api;
  let ru: Api;
  let coordinator: Api;
  let red: string;
  let green: string;
  const validator = new StixValidator();

  const file = (api: Api, tlp: string, title: string) =>
    api.post('/api/v1/incidents', {
      title,
      description: 'Web shell on a portal',
      category: 'intrusions/application-compromise',
      severity: 'high',
      tlp,
      sector: 'government',
      affectedStates: ['KZ'],
      observables: [
        { type: 'domain', value: 'cdn.evil.ru' },
        { type: 'ipv6', value: '2001:DB8::7' },
        { type: 'domain', value: 'пример.испытание' },
        { type: 'sha256', value: 'A'.repeat(64) },
        { type: 'cve', value: 'cve-2026-0001' },
      ],
    });

  const stix = async (api: Api, id: string) => {
    const res = await api.get(`/api/v1/incidents/${id}/export?format=stix`);
    expect(res.status).toBe(200);
    return res;
  };
  const objects = (res: { body: Obj }): Obj[] => res.body.objects;

  beforeAll(async () => {
    env = await createTestEnv('interchange_export');
    service = await startService(env);
    admin = new Api(service.url);
    by = admin.as(await admin.createKey('analyst', 'BY'));
    kz = admin.as(await admin.createKey('analyst', 'KZ'));
    ru = admin.as(await admin.createKey('analyst', 'RU'));
    coordinator = admin.as(await admin.createKey('coordinator'));
    const r = await file(by, 'TLP:RED', 'Red intrusion');
    expect(r.status).toBe(201);
    expect(r.body.routing).toEqual({ dispatchedTo: ['KZ'], suggested: ['RU'] });
    red = r.body.id;
    const g = await file(by, 'TLP:GREEN', 'Green intrusion');
    expect(g.status).toBe(201);
    green = g.body.id;
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('answers a STIX 2.1 bundle whose every object validates against its OASIS schema', async () => {
    const res = await stix(kz, red);
    expect(res.headers.get('content-type')).toBe(STIX_TYPE);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="CCC-\d{4}-\d{6}\.stix\.json"$/,
    );
    expect(res.body.type).toBe('bundle');
    expect(validator.validateObjects(objects(res) as any)).toEqual([]);
    // What stix2-validator --strict --enforce-refs checks besides the schemas.
    const checks = { bundleId: res.body.id, enforceRefs: true };
    expect(validator.referenceChecks(objects(res), checks)).toEqual([]);
    const types = objects(res).map((o) => o.type);
    expect(types.filter((t) => t === 'indicator')).toHaveLength(4);
    expect(types.filter((t) => t === 'vulnerability')).toHaveLength(1);
    expect(types.filter((t) => t === 'relationship')).toHaveLength(5);
    expect(types.filter((t) => t === 'incident')).toHaveLength(1);
    const patterns = objects(res)
      .filter((o) => o.type === 'indicator')
      .map((o) => o.pattern);
    expect(patterns).toEqual([
      "[domain-name:value = 'cdn.evil.ru']",
      "[ipv6-addr:value = '2001:db8::7']",
      "[domain-name:value = 'xn--e1afmkfd.xn--80akhbyknj4f']",
      `[file:hashes.'SHA-256' = '${'a'.repeat(64)}']`,
    ]);
  });

  it('marks every object with the incident TLP (identities CLEAR), TLP 2.0 ids only', async () => {
    const res = await stix(kz, red);
    for (const o of objects(res)) {
      if (o.type === 'marking-definition' || o.type === 'extension-definition') continue;
      expect([o.id, o.object_marking_refs]).toEqual([
        o.id,
        [o.type === 'identity' ? TLP2['TLP:CLEAR'] : TLP2['TLP:RED']],
      ]);
    }
    const incident = objects(res).find((o) => o.type === 'incident')!;
    const identity = objects(res).find((o) => o.type === 'identity')!;
    expect(incident.created_by_ref).toBe(identity.id);
    expect(identity.name).toBe('Belarus (BY) national CERT');
    expect(res.text).not.toContain('5e57c739-391a-4eb3-b6be-7d15ca92d5ed'); // TLP 1.0 RED
  });

  it('404s an incident the caller may not see, with the body of an absent one', async () => {
    const hidden = await ru.get(`/api/v1/incidents/${red}/export?format=stix`);
    const absent = await ru.get(`/api/v1/incidents/${ABSENT}/export?format=stix`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(absent.body);
    expect(hidden.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const misp = await ru.get(`/api/v1/incidents/${red}/export?format=misp`);
    expect(misp.status).toBe(404);
    expect(misp.text).not.toContain(red);
    // GREEN is the community's: RU sees it without being a party.
    expect((await ru.get(`/api/v1/incidents/${green}/export?format=stix`)).status).toBe(200);
  });

  it('shows each reader the same objects, never the states TLP withheld', async () => {
    const withoutBundleId = async (api: Api) => objects(await stix(api, red));
    const forKz = await withoutBundleId(kz);
    expect(await withoutBundleId(by)).toEqual(forKz);
    expect(await withoutBundleId(coordinator)).toEqual(forKz);
    const incident = forKz.find((o) => o.type === 'incident')!;
    expect(incident.description).toContain('Dispatched to KZ.');
    // RU was a constituency match withheld by TLP:RED: no export names it.
    expect(JSON.stringify(forKz)).not.toMatch(/\bRU\b/);
    const misp = await by.get(`/api/v1/incidents/${red}/export?format=misp`);
    expect(misp.text).not.toMatch(/\bRU\b/);
  });

  it('keeps every id across exports; a change of the incident is a new version of it', async () => {
    const before = objects(await stix(coordinator, green));
    const transition = await coordinator.post(`/api/v1/incidents/${green}/transitions`, {
      to: 'triaged',
    });
    expect(transition.status).toBe(200);
    const after = objects(await stix(coordinator, green));
    expect(after.map((o) => o.id)).toEqual(before.map((o) => o.id));
    const incidentBefore = before.find((o) => o.type === 'incident')!;
    const incidentAfter = after.find((o) => o.type === 'incident')!;
    expect(incidentAfter.created).toBe(incidentBefore.created);
    expect(incidentAfter.modified > incidentBefore.modified).toBe(true);
    expect(incidentAfter.labels).toContain('ccc:status="triaged"');
    // The observables' objects did not change.
    const unchanged = (list: Obj[]) =>
      list.filter((o) => o.type !== 'incident' && o.type !== 'bundle');
    expect(unchanged(after)).toEqual(unchanged(before));
    // SDO and SRO ids are UUIDv4 (kept, not derived).
    for (const o of after) {
      if (['marking-definition', 'extension-definition'].includes(o.type)) continue;
      expect(o.id).toMatch(
        /--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(incidentAfter.id).toBe(`incident--${green}`);
  });

  it('gives evidence hashes added later their own indicators, the others unchanged', async () => {
    const before = objects(await stix(by, green));
    const boundary = 'ixboundary';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nhello evidence\r\n--${boundary}--\r\n`;
    const upload = await by.request('POST', `/api/v1/incidents/${green}/attachments`, body, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(upload.status).toBe(201);
    const after = objects(await stix(by, green));
    const indicators = (list: Obj[]) => list.filter((o) => o.type === 'indicator');
    expect(indicators(after)).toHaveLength(indicators(before).length + 3);
    expect(indicators(after).slice(0, indicators(before).length)).toEqual(indicators(before));
    expect(indicators(after).map((o) => o.pattern)).toContain(
      `[file:hashes.'SHA-256' = '${upload.body.sha256}']`,
    );
    expect(validator.validateObjects(after as any)).toEqual([]);
    expect(validator.referenceChecks(after, { enforceRefs: true })).toEqual([]);
  });

  it('answers a MISP event with stable attribute UUIDs', async () => {
    const res = await kz.get(`/api/v1/incidents/${red}/export?format=misp`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const event = res.body.Event;
    expect(event.uuid).toBe(red);
    expect(event.info).toMatch(/^CCC-\d{4}-\d{6} – Red intrusion$/);
    expect(event.Tag.map((t: Obj) => t.name)).toEqual([
      'tlp:red',
      'rsit:intrusions="application-compromise"',
    ]);
    expect(event.Attribute.map((a: Obj) => [a.type, a.value])).toEqual([
      ['domain', 'cdn.evil.ru'],
      ['ip-dst', '2001:db8::7'],
      ['domain', 'xn--e1afmkfd.xn--80akhbyknj4f'],
      ['sha256', 'a'.repeat(64)],
      ['vulnerability', 'CVE-2026-0001'],
      ['comment', 'Web shell on a portal'],
    ]);
    expect(event.published).toBe(true);
    const again = await by.get(`/api/v1/incidents/${red}/export?format=misp`);
    expect(again.body.Event.Attribute.map((a: Obj) => a.uuid)).toEqual(
      event.Attribute.map((a: Obj) => a.uuid),
    );
  });

  it('refuses an unknown format naming the field; stix is the default', async () => {
    const bad = await kz.get(`/api/v1/incidents/${red}/export?format=csv`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: Obj) => e.field)).toEqual(['format']);
    const plain = await kz.get(`/api/v1/incidents/${red}/export`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe(STIX_TYPE);
    expect((await kz.as('not-a-key').get(`/api/v1/incidents/${red}/export`)).status).toBe(401);
  });

  it('hands out unique date_added values in commit order', async () => {
    await env.db.query('SELECT ccc_stix_index(2147483647)');
    const { rows } = await env.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT date_added)::int AS distinct_n,
              bool_and(date_added >= version) AS after_version
       FROM stix_objects`,
    );
    expect(rows[0].n).toBeGreaterThan(10);
    expect(rows[0].distinct_n).toBe(rows[0].n);
    expect(rows[0].after_version).toBe(true);
  });
});
