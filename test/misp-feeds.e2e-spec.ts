import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const describeTypes = JSON.parse(
  readFileSync(new URL('./fixtures/misp/describeTypes.json', import.meta.url), 'utf8'),
).result as { category_type_mappings: Record<string, string[]> };

type Obj = Record<string, any>;

/**
 * The MISP feeds, one test per line of INTEROP.md 1.4 (ids in the names): what a MISP
 * instance's feed fetch reads, and what it must never be given.
 */
describe('MISP feeds', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let by: Api;
  let coordinator: Api;
  let byKey: string;
  const ids: Record<string, string> = {};

  const feed = (api: Api, audience: string, file: string, headers: Record<string, string> = {}) =>
    api.get(`/feeds/misp/${audience}/${file}`, headers);

  const file = async (api: Api, name: string, body: Obj) => {
    const res = await api.post('/api/v1/incidents', {
      title: name,
      category: 'malicious-code/infected-system',
      severity: 'high',
      sector: 'finance',
      ...body,
    });
    expect(res.status).toBe(201);
    ids[name] = res.body.id;
    return res.body;
  };

  const observables = [
    { type: 'ipv4', value: '203.0.113.9' },
    { type: 'domain', value: 'pay.evil.example' },
    { type: 'sha256', value: 'd'.repeat(64) },
    { type: 'cve', value: 'CVE-2026-4242' },
    { type: 'asn', value: 'AS64501' },
  ];

  beforeAll(async () => {
    env = await createTestEnv('misp_feeds');
    service = await startService(env);
    admin = new Api(service.url);
    byKey = await admin.createKey('analyst', 'BY');
    by = admin.as(byKey);
    coordinator = admin.as(await admin.createKey('coordinator'));
    await file(by, 'clear', { tlp: 'TLP:CLEAR', observables, description: 'Ransom note' });
    await file(by, 'green', { tlp: 'TLP:GREEN', observables: observables.slice(0, 2) });
    await file(by, 'amber', { tlp: 'TLP:AMBER', observables, affectedStates: ['KZ'] });
    await file(by, 'red', { tlp: 'TLP:RED', observables, affectedStates: ['KZ'] });
    await file(by, 'empty', { tlp: 'TLP:CLEAR' });
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('F-1: manifest.json, hashes.csv and <uuid>.json by plain GET, 200, JSON or CSV; ETag and 304', async () => {
    const manifest = await feed(by, 'community', 'manifest.json');
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toMatch(/^application\/json/);
    const etag = manifest.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await feed(by, 'community', 'manifest.json', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(
      (await feed(by, 'community', 'manifest.json', { 'if-none-match': `W/${etag}` })).status,
    ).toBe(304);
    expect(
      (await feed(by, 'community', 'manifest.json', { 'if-none-match': '"other"' })).status,
    ).toBe(200);
    const hashes = await feed(by, 'community', 'hashes.csv');
    expect(hashes.status).toBe(200);
    expect(hashes.headers.get('content-type')).toMatch(/^text\/csv/);
    const event = await feed(by, 'community', `${ids.clear}.json`);
    expect(event.status).toBe(200);
    expect(event.headers.get('content-type')).toMatch(/^application\/json/);
    expect(event.body.Event.uuid).toBe(ids.clear);
    // A feed URL typed with a trailing slash: MISP asks for `…//manifest.json`.
    expect((await by.get('/feeds/misp/community//manifest.json')).status).toBe(200);
    // MISP sends `Authorization: Bearer <key>` from the feed's headers; Basic works too.
    const basic = Buffer.from(`misp:${byKey}`).toString('base64');
    expect(
      (
        await admin
          .as('')
          .get('/feeds/misp/public/manifest.json', { authorization: `Basic ${basic}` })
      ).status,
    ).toBe(200);
    expect((await admin.as('').get('/feeds/misp/public/manifest.json')).status).toBe(401);
    for (const path of [
      '/feeds/misp/secret/manifest.json',
      '/feeds/misp/community/nothing.txt',
      `/feeds/misp/community/${ids.clear}.xml`,
    ]) {
      expect({ path, status: (await by.get(path)).status }).toEqual({ path, status: 404 });
    }
    // A change to an incident of the feed changes the tag.
    const transition = await coordinator.post(`/api/v1/incidents/${ids.green}/transitions`, {
      to: 'triaged',
    });
    expect(transition.status).toBe(200);
    const changed = await feed(by, 'community', 'manifest.json', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('F-2, F-6: public holds CLEAR, community CLEAR and GREEN; never AMBER or RED; never an empty event', async () => {
    for (const api of [by, coordinator]) {
      const pub = await feed(api, 'public', 'manifest.json');
      expect(Object.keys(pub.body)).toEqual([ids.clear]);
      const community = await feed(api, 'community', 'manifest.json');
      expect(Object.keys(community.body).sort()).toEqual([ids.clear, ids.green].sort());
      for (const hidden of ['amber', 'red', 'empty']) {
        for (const audience of ['public', 'community']) {
          const res = await feed(api, audience, `${ids[hidden]}.json`);
          expect({ hidden, audience, status: res.status }).toEqual({
            hidden,
            audience,
            status: 404,
          });
        }
      }
      const text = (await feed(api, 'community', 'hashes.csv')).text + community.text;
      for (const hidden of ['amber', 'red', 'empty']) expect(text).not.toContain(ids[hidden]);
    }
    expect((await feed(by, 'public', `${ids.green}.json`)).status).toBe(404);
  });

  it('F-3, F-4: each manifest entry repeats its event file; the event carries what MISP needs', async () => {
    const manifest = (await feed(by, 'community', 'manifest.json')).body;
    for (const [uuid, entry] of Object.entries<Obj>(manifest)) {
      const { Event } = (await feed(by, 'community', `${uuid}.json`)).body;
      // As PyMISP's feed generator writes it: numbers in the manifest, strings in the event.
      expect(entry).toEqual({
        Orgc: Event.Orgc,
        Tag: Event.Tag,
        info: Event.info,
        date: Event.date,
        analysis: Number(Event.analysis),
        threat_level_id: Number(Event.threat_level_id),
        timestamp: Number(Event.timestamp),
      });
      expect(Event).toMatchObject({
        uuid,
        info: expect.stringMatching(/^CCC-\d{4}-\d{6} – /),
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        timestamp: expect.stringMatching(/^\d+$/),
        publish_timestamp: Event.timestamp,
        published: true,
        Orgc: { name: 'Belarus (BY) national CERT', uuid: expect.any(String) },
      });
      expect(Event).not.toHaveProperty('distribution');
      expect(Event.Tag.map((t: Obj) => t.name)).toEqual([
        uuid === ids.clear ? 'tlp:clear' : 'tlp:green',
        'rsit:malicious-code="infected-system"',
      ]);
    }
    expect(manifest[ids.green].analysis).toBe(0);
    expect(manifest[ids.clear].threat_level_id).toBe(1);
  });

  it('F-4: the event timestamp grows with every change, several within one second included', async () => {
    const timestamp = async () =>
      Number((await feed(coordinator, 'public', `${ids.clear}.json`)).body.Event.timestamp);
    const stamps = [await timestamp()];
    for (const to of ['triaged', 'in_progress']) {
      const res = await coordinator.post(`/api/v1/incidents/${ids.clear}/transitions`, { to });
      expect(res.status).toBe(200);
      stamps.push(await timestamp());
    }
    const patch = await coordinator.patch(`/api/v1/incidents/${ids.clear}`, {
      severity: 'critical',
    });
    expect(patch.status).toBe(200);
    stamps.push(await timestamp());
    for (let n = 1; n < stamps.length; n++) expect(stamps[n]).toBeGreaterThan(stamps[n - 1]);
    const manifest = (await feed(coordinator, 'public', 'manifest.json')).body;
    expect(manifest[ids.clear].timestamp).toBe(stamps[stamps.length - 1]);
    expect(manifest[ids.clear].analysis).toBe(1);
  });

  it('F-5: attributes with stable UUIDs and type/category pairs MISP accepts', async () => {
    const first = (await feed(by, 'community', `${ids.clear}.json`)).body.Event.Attribute as Obj[];
    expect(first.map((a) => [a.type, a.category, a.to_ids])).toEqual([
      ['ip-dst', 'Network activity', true],
      ['domain', 'Network activity', true],
      ['sha256', 'Payload delivery', true],
      ['vulnerability', 'External analysis', false],
      ['AS', 'Network activity', false],
      ['comment', 'Other', false],
    ]);
    for (const a of first) {
      expect(describeTypes.category_type_mappings[a.category]).toContain(a.type);
      expect(a.uuid).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    const export_ = (await by.get(`/api/v1/incidents/${ids.clear}/export?format=misp`)).body;
    expect(export_.Event.Attribute.map((a: Obj) => a.uuid)).toEqual(first.map((a) => a.uuid));
  });

  it('F-7: hashes.csv is md5(value),event uuid for every attribute of every event', async () => {
    for (const audience of ['public', 'community']) {
      const manifest = (await feed(by, audience, 'manifest.json')).body;
      const expected: string[] = [];
      for (const uuid of Object.keys(manifest)) {
        const { Event } = (await feed(by, audience, `${uuid}.json`)).body;
        for (const a of Event.Attribute) {
          expected.push(`${createHash('md5').update(a.value).digest('hex')},${uuid}`);
        }
      }
      const lines = (await feed(by, audience, 'hashes.csv')).text.split('\n').filter(Boolean);
      expect(lines.sort()).toEqual(expected.sort());
    }
  });

  it('writes a feed larger than one batch completely, each event once', async () => {
    const filed: string[] = [];
    for (let round = 0; round < 11; round++) {
      const bodies = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          coordinator.post('/api/v1/incidents', {
            title: `Bulk ${round}-${n}`,
            category: 'fraud/phishing',
            severity: 'low',
            tlp: 'TLP:CLEAR',
            sector: 'other',
            reportingState: 'TJ',
            observables: [{ type: 'domain', value: `bulk-${round}-${n}.example` }],
          }),
        ),
      );
      for (const b of bodies) {
        expect(b.status).toBe(201);
        filed.push(b.body.id);
      }
    }
    const manifest = await feed(by, 'public', 'manifest.json');
    expect(manifest.status).toBe(200);
    const keys = Object.keys(manifest.body);
    expect(keys).toHaveLength(filed.length + 1);
    expect(keys).toEqual(expect.arrayContaining([...filed, ids.clear]));
    const lines = (await feed(by, 'public', 'hashes.csv')).text.split('\n').filter(Boolean);
    expect(new Set(lines.map((l) => l.split(',')[1]))).toEqual(new Set(keys));
  });
});
