import { Api, ApiResponse } from './support/api.js';
import { StixValidator } from './fixtures/stix/stix-validator.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { concurrentWriter, expectEachOnce } from './support/walk.js';

/**
 * The TAXII 2.1 server's read side, one test (or more) per line of INTEROP.md 1.1; the line
 * ids are in the test names. BY reports one incident per TLP with KZ affected and an
 * observable in RU's constituency (RU is dispatched for AMBER/GREEN/CLEAR, only suggested
 * for RED/AMBER+STRICT); TJ reports a CLEAR one.
 */
const TAXII = 'application/taxii+json;version=2.1';
const STIX = 'application/stix+json;version=2.1';
const STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'];
const TLPS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'];
const COMMUNITY = ['TLP:GREEN', 'TLP:CLEAR'];
const RESTRICTED = ['TLP:RED', 'TLP:AMBER+STRICT'];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MARKINGS: Record<string, string> = {
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'TLP:RED',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'TLP:AMBER+STRICT',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'TLP:AMBER',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'TLP:GREEN',
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'TLP:CLEAR',
};
const STATIC_TYPES = ['marking-definition', 'extension-definition', 'identity'];

type Obj = Record<string, any>;

interface Filed {
  id: string;
  tlp: string;
  reporter: string;
  dispatched: string[];
  observables: number;
}

describe('TAXII 2.1 server (read side)', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  const analysts: Record<string, Api> = {};
  const keys: Record<string, string> = {};
  const filed: Filed[] = [];
  /** Collection id by alias. */
  const collections: Record<string, string> = {};
  const validator = new StixValidator();

  const get = (api: Api, path: string, headers: Record<string, string> = {}) =>
    api.get(path, { accept: TAXII, ...headers });
  const root = '/taxii2/ccc';
  const col = (alias: string) => `${root}/collections/${collections[alias]}`;

  /** Every object of a collection, page by page with `next`. */
  async function walk(
    api: Api,
    path: string,
    limit: number,
    between?: () => Promise<void>,
  ): Promise<{ objects: Obj[]; pages: number }> {
    const objects: Obj[] = [];
    let next: string | undefined;
    for (let pages = 1; pages < 2000; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await get(
        api,
        `${path}${sep}limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const list: Obj[] = res.body.objects ?? [];
      expect(list.length).toBeLessThanOrEqual(limit);
      objects.push(...list);
      if (!res.body.more) {
        expect(res.body.next).toBeUndefined();
        return { objects, pages };
      }
      expect(typeof res.body.next).toBe('string');
      expect(res.body.next.length).toBeGreaterThan(0);
      next = res.body.next;
      await between?.();
    }
    throw new Error(`${path}: no end`);
  }

  /** object id → incident id, from the table the indexer keeps (caught up first). */
  async function owners(): Promise<Map<string, string>> {
    await env.db.query('SELECT ccc_stix_index(2147483647)');
    const { rows } = await env.db.query('SELECT object_id, incident_id FROM stix_objects');
    return new Map(rows.map((r: Obj) => [r.object_id, r.incident_id]));
  }

  const fileAs = async (api: Api, body: Obj) => {
    const res = await api.post('/api/v1/incidents', {
      category: 'intrusions/application-compromise',
      severity: 'high',
      sector: 'government',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    env = await createTestEnv('taxii');
    service = await startService(env);
    admin = new Api(service.url);
    for (const state of STATES) {
      keys[state] = await admin.createKey('analyst', state);
      analysts[state] = admin.as(keys[state]);
    }
    keys.coordinator = await admin.createKey('coordinator');
    coordinator = admin.as(keys.coordinator);
    for (const tlp of TLPS) {
      const observables = [
        { type: 'domain', value: 'cdn.evil.ru' },
        { type: 'sha256', value: 'b'.repeat(64) },
        { type: 'ipv6', value: '2001:db8::42' },
      ];
      const body = await fileAs(analysts.BY, {
        title: `Intrusion ${tlp}`,
        tlp,
        affectedStates: ['KZ'],
        observables,
      });
      expect(body.routing.dispatchedTo).toEqual(RESTRICTED.includes(tlp) ? ['KZ'] : ['KZ', 'RU']);
      filed.push({
        id: body.id,
        tlp,
        reporter: 'BY',
        dispatched: body.routing.dispatchedTo,
        observables: 3,
      });
    }
    const tj = await fileAs(analysts.TJ, {
      title: 'Public defacement',
      tlp: 'TLP:CLEAR',
      observables: [{ type: 'url', value: 'http://deface.example.tj/x' }],
    });
    filed.push({ id: tj.id, tlp: 'TLP:CLEAR', reporter: 'TJ', dispatched: [], observables: 1 });
    const list = await get(coordinator, `${root}/collections/`);
    expect(list.status).toBe(200);
    for (const c of list.body.collections) collections[c.alias] = c.id;
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  // ---- Transport, auth -------------------------------------------------------------------

  const endpoints = () => [
    '/taxii2/',
    `${root}/`,
    `${root}/collections/`,
    `${col('community')}/`,
    `${col('community')}/objects/`,
    `${col('community')}/manifest/`,
    `${col('community')}/objects/incident--${filed[4].id}/`,
    `${col('community')}/objects/incident--${filed[4].id}/versions/`,
  ];

  it('T-AUTH-1, T-MT-1, T-ERR-1: every endpoint needs credentials; 401 is a TAXII error with a challenge', async () => {
    const anonymous = admin.as('');
    for (const path of endpoints()) {
      for (const api of [anonymous, admin.as('wrong-key-0123456789')]) {
        const res = await get(api, path);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(res.headers.get('content-type')).toBe(TAXII);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
        expect(res.body).toEqual({
          title: 'Unauthorized',
          http_status: '401',
          description: expect.any(String),
        });
      }
    }
  });

  it('T-AUTH-2: Basic with any user name and the key as password, scheme in any case', async () => {
    const anonymous = admin.as('');
    for (const scheme of ['Basic', 'basic', 'BASIC']) {
      for (const user of ['x', '', 'misp@example.kz']) {
        const token = Buffer.from(`${user}:${keys.KZ}`).toString('base64');
        const res = await get(anonymous, `${root}/collections/`, {
          authorization: `${scheme} ${token}`,
        });
        expect({ scheme, user, status: res.status }).toEqual({ scheme, user, status: 200 });
        expect(res.body.collections.map((c: Obj) => c.alias).sort()).toEqual(
          ['community', 'public', 'state-KZ'].sort(),
        );
      }
    }
    const wrong = Buffer.from(`x:${keys.KZ}x`).toString('base64');
    expect(
      (await get(anonymous, `${root}/collections/`, { authorization: `Basic ${wrong}` })).status,
    ).toBe(401);
    // Only TAXII (and, later, feeds) take Basic: the REST API keeps Bearer alone.
    const token = Buffer.from(`x:${keys.KZ}`).toString('base64');
    const rest = await anonymous.get('/api/v1/incidents', { authorization: `Basic ${token}` });
    expect(rest.status).toBe(401);
  });

  it('T-AUTH-3: Bearer, scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const res = await get(admin.as(''), `${root}/collections/`, {
        authorization: `${scheme} ${keys.RU}`,
      });
      expect(res.status).toBe(200);
    }
  });

  it('T-AUTH-4, T-ERR-2: an analyst has public, community and its own state; another state is 404 everywhere', async () => {
    const all = await get(coordinator, `${root}/collections/`);
    expect(all.body.collections.map((c: Obj) => c.alias)).toEqual([
      'public',
      'community',
      ...STATES.map((s) => `state-${s}`),
    ]);
    const absent = await get(
      analysts.BY,
      `${root}/collections/00000000-0000-4000-8000-000000000000/`,
    );
    expect(absent.status).toBe(404);
    for (const state of STATES) {
      const mine = await get(analysts[state], `${root}/collections/`);
      expect(mine.body.collections.map((c: Obj) => c.alias)).toEqual([
        'public',
        'community',
        `state-${state}`,
      ]);
      const other = state === 'BY' ? 'KZ' : 'BY';
      for (const suffix of [
        '/',
        '/objects/',
        '/manifest/',
        `/objects/incident--${filed[0].id}/`,
        `/objects/incident--${filed[0].id}/versions/`,
      ]) {
        const res = await get(analysts[state], `${col(`state-${other}`)}${suffix}`);
        expect({ state, suffix, status: res.status }).toEqual({ state, suffix, status: 404 });
        expect(res.body).toEqual(
          suffix === '/' ? absent.body : expect.objectContaining({ http_status: '404' }),
        );
        expect(res.text).not.toContain(filed[0].id);
      }
    }
  });

  // ---- Media types, headers ----------------------------------------------------------------

  it('T-MT-1, T-MT-2, T-MT-3: exact media type; Accept 2.1, no version, */*, json or none → 200; 2.0 → 406', async () => {
    const accepts: [string | undefined, number][] = [
      [TAXII, 200],
      ['application/taxii+json; version=2.1', 200],
      ['application/taxii+json', 200],
      ['*/*', 200],
      ['application/json, text/plain, */*', 200],
      ['application/json', 200],
      [undefined, 200],
      ['application/taxii+json;version=2.0', 406],
      ['text/html', 406],
      ['application/taxii+json;version=2.1;q=0', 406],
    ];
    for (const [accept, status] of accepts) {
      const res = await coordinator.request(
        'GET',
        `${col('community')}/objects/`,
        undefined,
        accept === undefined ? {} : { accept },
      );
      expect({ accept, status: res.status }).toEqual({ accept, status });
      expect(res.headers.get('content-type')).toBe(TAXII);
      if (status === 406)
        expect(res.body).toMatchObject({ title: 'Not Acceptable', http_status: '406' });
    }
    for (const path of endpoints()) {
      const res = await get(coordinator, path);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: TAXII,
      });
    }
    const unknownRoute = await get(coordinator, `${root}/nothing-here/`);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers.get('content-type')).toBe(TAXII);
    expect(unknownRoute.body.http_status).toBe('404');
  });

  it('T-HDR-1, T-HDR-2: X-TAXII-Date-Added-First/Last are the page’s first and last date_added, RFC 3339; none on an empty page', async () => {
    const manifest = await get(coordinator, `${col('state-KZ')}/manifest/?limit=4`);
    const entries: Obj[] = manifest.body.objects;
    expect(entries).toHaveLength(4);
    const pages: ApiResponse[] = [
      manifest,
      await get(coordinator, `${col('state-KZ')}/objects/?limit=4`),
    ];
    for (const res of pages) {
      const first = res.headers.get('x-taxii-date-added-first')!;
      const last = res.headers.get('x-taxii-date-added-last')!;
      expect(first).toBe(entries[0].date_added);
      expect(last).toBe(entries[3].date_added);
      expect(last).toMatch(TIMESTAMP);
      expect(Number.isFinite(Date.parse(last))).toBe(true);
    }
    const incident = `incident--${filed[0].id}`;
    const entry = (await get(coordinator, `${col('state-KZ')}/manifest/?match[id]=${incident}`))
      .body.objects[0];
    for (const suffix of [`/objects/${incident}/`, `/objects/${incident}/versions/`]) {
      const res = await get(coordinator, `${col('state-KZ')}${suffix}`);
      expect(res.headers.get('x-taxii-date-added-first')).toBe(entry.date_added);
      expect(res.headers.get('x-taxii-date-added-last')).toBe(entry.date_added);
    }
    const empty = await get(
      coordinator,
      `${col('community')}/objects/?added_after=2999-01-01T00:00:00Z`,
    );
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({});
    expect(empty.headers.get('x-taxii-date-added-first')).toBeNull();
    expect(empty.headers.get('x-taxii-date-added-last')).toBeNull();
  });

  // ---- Discovery, API root, collections ----------------------------------------------------

  it('T-DISC-1: discovery at /taxii2/ with title, api_roots and a default among them', async () => {
    for (const path of ['/taxii2/', '/taxii2']) {
      const res = await get(analysts.AM, path);
      expect(res.status).toBe(200);
      expect(res.body.title).toEqual(expect.any(String));
      expect(res.body.api_roots).toEqual([`${service.url}/taxii2/ccc/`]);
      expect(res.body.api_roots).toContain(res.body.default);
    }
  });

  it('T-ROOT-1: the API root has title, versions with TAXII 2.1 and max_content_length', async () => {
    const res = await get(analysts.AM, `${root}/`);
    expect(res.body).toEqual({
      title: expect.any(String),
      description: expect.any(String),
      versions: [TAXII],
      max_content_length: 33554432,
    });
  });

  it('T-COLL-1, T-COLL-2, T-COLL-3, T-COLL-4, T-STIX-6: collection resources, addressed by id, with or without the slash', async () => {
    const list = await get(analysts.KZ, `${root}/collections/`);
    expect(Object.keys(list.body)).toEqual(['collections']);
    for (const c of list.body.collections) {
      expect(c).toEqual({
        id: expect.stringMatching(UUID4),
        title: expect.any(String),
        description: expect.any(String),
        alias: expect.any(String),
        can_read: true,
        // KZ's analysts add objects to state-KZ only (src/imports, test/imports.e2e-spec.ts).
        can_write: c.alias === 'state-KZ',
        media_types: [STIX],
      });
      for (const path of [`${root}/collections/${c.id}/`, `${root}/collections/${c.id}`]) {
        const one = await get(analysts.KZ, path);
        expect(one.status).toBe(200);
        expect(one.body).toEqual(c);
      }
      for (const path of [
        `${root}/collections/${c.id}/objects`,
        `${root}/collections/${c.id}/manifest`,
      ]) {
        expect((await get(analysts.KZ, path)).status).toBe(200);
      }
    }
    expect((await get(analysts.KZ, `${root}/collections/community/`)).status).toBe(404);
  });

  // ---- Objects, manifest, versions -------------------------------------------------------

  it('T-OBJ-1, T-OBJ-2, T-MAN-1, T-STIX-1, T-STIX-4, T-STIX-5, L-1: an envelope of valid objects in date_added order, each in the manifest at its version', async () => {
    const res = await get(coordinator, `${col('state-BY')}/objects/?limit=1000`);
    expect(res.body.more).toBe(false);
    expect(res.body.type).toBeUndefined();
    const objects: Obj[] = res.body.objects;
    expect(validator.validateObjects(objects as any)).toEqual([]);
    // What stix2-validator --strict --enforce-refs checks besides the schemas.
    expect(validator.referenceChecks(objects, { enforceRefs: true })).toEqual([]);
    const manifest: Obj[] = (await get(coordinator, `${col('state-BY')}/manifest/?limit=1000`)).body
      .objects;
    expect(manifest.map((m) => m.id)).toEqual(objects.map((o) => o.id));
    const added = manifest.map((m) => m.date_added);
    expect([...added].sort()).toEqual(added);
    expect(new Set(added).size).toBe(added.length);
    for (const [n, o] of objects.entries()) {
      expect(manifest[n]).toEqual({
        id: o.id,
        date_added: expect.stringMatching(TIMESTAMP),
        version: (o.modified ?? o.created).replace(/(\.\d{3})Z$/, '$1000Z'),
        media_type: STIX,
      });
      if (o.type === 'marking-definition') continue;
      if (o.type !== 'extension-definition') {
        expect(o.object_marking_refs).toHaveLength(1);
        expect(MARKINGS[o.object_marking_refs[0]]).toBeDefined();
        expect(o.id.split('--')[1]).toMatch(UUID4);
      }
    }
    const types = new Set(objects.map((o) => o.type));
    expect([...types].sort()).toEqual(
      [
        'extension-definition',
        'identity',
        'incident',
        'indicator',
        'marking-definition',
        'relationship',
      ].sort(),
    );
    expect(
      objects.filter((o) => o.type === 'marking-definition').map((o) => MARKINGS[o.id]),
    ).toEqual(TLPS);
    expect(objects.map((o) => o.pattern)).toContain(
      `[file:hashes.'SHA-256' = '${'b'.repeat(64)}']`,
    );
  });

  it('T-FILT-1: added_after is exclusive', async () => {
    const manifest: Obj[] = (await get(coordinator, `${col('community')}/manifest/`)).body.objects;
    const k = manifest.length - 4;
    const after = await get(
      coordinator,
      `${col('community')}/manifest/?added_after=${manifest[k].date_added}`,
    );
    expect(after.body.objects.map((m: Obj) => m.id)).toEqual(
      manifest.slice(k + 1).map((m) => m.id),
    );
    const objects = await get(
      coordinator,
      `${col('community')}/objects/?added_after=${manifest[k].date_added}`,
    );
    expect(objects.body.objects.map((o: Obj) => o.id)).toEqual(
      manifest.slice(k + 1).map((m) => m.id),
    );
    // A coarser timestamp (milliseconds, or nanoseconds) is read as the same instant.
    const bad = await get(coordinator, `${col('community')}/objects/?added_after=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ http_status: '400', title: 'Bad Request' });
    expect(bad.headers.get('content-type')).toBe(TAXII);
  });

  it('T-FILT-2, T-FILT-5: match[id] and match[type] (comma or repeated is OR, different ones AND); unknown match ignored', async () => {
    const green = filed.find((f) => f.tlp === 'TLP:GREEN')!;
    const clear = filed.find((f) => f.tlp === 'TLP:CLEAR')!;
    const ids = `incident--${green.id},incident--${clear.id}`;
    for (const endpoint of ['objects', 'manifest']) {
      const byId = await get(coordinator, `${col('community')}/${endpoint}/?match[id]=${ids}`);
      expect(byId.body.objects.map((o: Obj) => o.id).sort()).toEqual(ids.split(',').sort());
      const byType = await get(
        coordinator,
        `${col('community')}/${endpoint}/?match[type]=incident&match[type]=marking-definition`,
      );
      expect(new Set(byType.body.objects.map((o: Obj) => o.id.split('--')[0]))).toEqual(
        new Set(['incident', 'marking-definition']),
      );
      const both = await get(
        coordinator,
        `${col('community')}/${endpoint}/?match[id]=${ids}&match[type]=indicator`,
      );
      expect(both.body).toEqual({});
      const unknown = await get(
        coordinator,
        `${col('community')}/${endpoint}/?match[id]=${ids}&match[color]=red&foo=bar`,
      );
      expect(unknown.status).toBe(200);
      expect(unknown.body.objects).toHaveLength(2);
    }
  });

  it('T-FILT-3, T-FILT-4, T-VER-1: match[version] first/last/all/exact, match[spec_version], versions', async () => {
    const id = `incident--${filed[3].id}`;
    const path = `${col('community')}/objects/${id}/`;
    const object = (await get(coordinator, path)).body.objects[0];
    for (const version of ['last', 'first', 'all', object.modified, `first,${object.modified}`]) {
      const res = await get(coordinator, `${path}?match[version]=${version}`);
      expect({ version, ids: res.body.objects?.map((o: Obj) => o.id) }).toEqual({
        version,
        ids: [id],
      });
    }
    expect((await get(coordinator, `${path}?match[version]=2020-01-01T00:00:00Z`)).body).toEqual(
      {},
    );
    expect((await get(coordinator, `${path}?match[version]=soon`)).status).toBe(400);
    expect((await get(coordinator, `${path}?match[spec_version]=2.0`)).body).toEqual({});
    expect(
      (await get(coordinator, `${path}?match[spec_version]=2.0,2.1`)).body.objects,
    ).toHaveLength(1);
    expect(
      (await get(coordinator, `${col('community')}/objects/?match[spec_version]=2.0`)).body,
    ).toEqual({});
    const versions = await get(coordinator, `${path}versions/`);
    expect(versions.body).toEqual({ more: false, versions: [object.modified] });
    expect((await get(coordinator, `${path}versions/?match[spec_version]=2.0`)).body).toEqual({});
    const absent = await get(
      coordinator,
      `${col('community')}/objects/incident--${filed[0].id}/versions/`,
    );
    expect(absent.status).toBe(404); // RED is not in community
  });

  it('T-PAGE-1: limit caps, never refuses above the maximum; 0, negative and non-integers are 400', async () => {
    const two = await get(coordinator, `${col('community')}/objects/?limit=2`);
    expect(two.body.objects).toHaveLength(2);
    const huge = await get(coordinator, `${col('community')}/objects/?limit=999999999`);
    expect(huge.status).toBe(200);
    expect(huge.body.more).toBe(false);
    for (const limit of ['0', '-1', '1.5', 'ten', '']) {
      const res = await get(coordinator, `${col('community')}/objects/?limit=${limit}`);
      expect({ limit, status: res.status }).toEqual({ limit, status: 400 });
      expect(res.body.http_status).toBe('400');
    }
  });

  it('T-PAGE-2, T-PAGE-3, T-PAGE-5: more with a next; the same query plus next (and added_after) continues; a bogus next is 400', async () => {
    const first = await get(
      coordinator,
      `${col('community')}/objects/?limit=3&added_after=2000-01-01T00:00:00Z`,
    );
    expect(first.body.more).toBe(true);
    const next = encodeURIComponent(first.body.next);
    const second = await get(
      coordinator,
      `${col('community')}/objects/?limit=3&added_after=2000-01-01T00:00:00Z&next=${next}`,
    );
    expect(second.status).toBe(200);
    const all = (await get(coordinator, `${col('community')}/objects/?limit=6`)).body.objects;
    expect([...first.body.objects, ...second.body.objects].map((o: Obj) => o.id)).toEqual(
      all.map((o: Obj) => o.id),
    );
    for (const bogus of ['nonsense', 'eyJrIjoieCJ9', '%00']) {
      const res = await get(coordinator, `${col('community')}/objects/?next=${bogus}`);
      expect({ bogus, status: res.status }).toEqual({ bogus, status: 400 });
      expect(res.headers.get('content-type')).toBe(TAXII);
      expect(res.body.http_status).toBe('400');
    }
  });

  it('T-PAGE-4: walking with limit=2 yields every object once while incidents are filed', async () => {
    const before = await walk(coordinator, `${col('community')}/objects/`, 1000);
    const expected = before.objects.map((o) => o.id);
    // A bounded writer (the walk asks for pages faster than objects arrive, so it ends): after
    // `writes` filings it waits to be released rather than spinning.
    const writes = 12;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const writer = concurrentWriter(async (n) => {
      if (n >= writes) {
        finished = true;
        return released;
      }
      return fileAs(analysts.KG, {
        title: `Concurrent ${n}`,
        tlp: 'TLP:GREEN',
        observables: [{ type: 'ipv4', value: `192.0.2.${n + 1}` }],
      });
    });
    try {
      const during = await walk(coordinator, `${col('community')}/objects/`, 2, async () => {
        // Objects land between the pages, until the writer has filed them all.
        if (!finished) await writer.landed();
      });
      expectEachOnce(
        during.objects.map((o) => o.id),
        expected,
        'community walk',
      );
      expect(during.objects.length).toBeGreaterThan(expected.length);
    } finally {
      release();
      expect(await writer.stop()).toBeGreaterThanOrEqual(1);
    }
  });

  it('filings sent together (one transaction) each get their objects, in filing order, date_added unique', async () => {
    // 24 at once: the intake commits concurrent filings together, one transaction; the
    // objects are written at its commit.
    const batch = await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        fileAs(analysts.KG, {
          title: `Together ${n}`,
          tlp: 'TLP:GREEN',
          observables: [
            { type: 'ipv4', value: `198.51.100.${n + 1}` },
            { type: 'domain', value: `together-${n}.example` },
          ],
        }),
      ),
    );
    await env.db.query('SELECT ccc_stix_index(2147483647)');
    const { rows } = await env.db.query(
      `SELECT i.reference, s.kind, s.position, s.date_added::text AS added FROM stix_objects s
       JOIN incidents i ON i.id = s.incident_id WHERE s.incident_id = ANY($1::uuid[])
       ORDER BY s.date_added`,
      [batch.map((b) => b.id)],
    );
    // An incident object, two indicators and two relationships per incident.
    expect(rows.length).toBe(batch.length * 5);
    const perIncident = new Map<string, number>();
    for (const r of rows) perIncident.set(r.reference, (perIncident.get(r.reference) ?? 0) + 1);
    expect([...perIncident.values()]).toEqual(batch.map(() => 5));
    // Within an incident: the incident object first, then per observable its indicator and
    // relationship; and incidents in the order they were numbered.
    const references = [...new Set(rows.map((r) => r.reference as string))];
    expect(references).toEqual([...references].sort());
    for (const reference of references) {
      const mine = rows.filter((r) => r.reference === reference);
      expect(mine.map((r) => [r.kind, r.position])).toEqual([
        ['incident', null],
        ['indicator', 0],
        ['relationship', 0],
        ['indicator', 1],
        ['relationship', 1],
      ]);
    }
    // Microseconds apart, each once (the query ordered them by date_added).
    expect(new Set(rows.map((r) => r.added as string)).size).toBe(rows.length);
  });

  it('T-PAGE-6, T-HDR-2: paging by added_after = X-TAXII-Date-Added-Last alone loses nothing (date_added unique)', async () => {
    const expected = (await walk(coordinator, `${col('state-KZ')}/objects/`, 1000)).objects.map(
      (o) => o.id,
    );
    const seen: string[] = [];
    let after = '2000-01-01T00:00:00Z';
    for (let pages = 0; pages < 1000; pages++) {
      const res = await get(
        coordinator,
        `${col('state-KZ')}/objects/?limit=2&added_after=${after}`,
      );
      if (!res.body.objects) break;
      seen.push(...res.body.objects.map((o: Obj) => o.id));
      after = res.headers.get('x-taxii-date-added-last')!;
    }
    expect(seen).toEqual(expected);
  });

  it('T-OBJ-3: date_added is when a version entered the collection: a changed incident comes again, later, its indicators do not', async () => {
    const body = await fileAs(analysts.AM, {
      title: 'Versioned',
      tlp: 'TLP:GREEN',
      observables: [{ type: 'md5', value: 'c'.repeat(32) }],
    });
    const own = async () => {
      const all = (await walk(coordinator, `${col('community')}/manifest/`, 1000)).objects;
      const map = await owners();
      return all.filter((m) => map.get(m.id) === body.id);
    };
    const before = await own();
    expect(before.map((m) => m.id.split('--')[0])).toEqual([
      'incident',
      'indicator',
      'relationship',
    ]);
    const transition = await coordinator.post(`/api/v1/incidents/${body.id}/transitions`, {
      to: 'triaged',
    });
    expect(transition.status).toBe(200);
    const after = await own();
    expect(after.map((m) => m.id.split('--')[0])).toEqual([
      'indicator',
      'relationship',
      'incident',
    ]);
    expect(after.slice(0, 2)).toEqual(before.slice(1));
    const [incidentBefore, incidentAfter] = [before[0], after[2]];
    expect(incidentAfter.date_added > incidentBefore.date_added).toBe(true);
    expect(incidentAfter.version > incidentBefore.version).toBe(true);
    const object = (await get(coordinator, `${col('community')}/objects/${incidentAfter.id}/`)).body
      .objects[0];
    expect(object.modified).toBe(incidentAfter.version);
    // A poller that had seen everything up to the old version gets the new one.
    const poll = await get(
      coordinator,
      `${col('community')}/manifest/?added_after=${incidentBefore.date_added}&match[id]=${incidentAfter.id}`,
    );
    expect(poll.body.objects).toEqual([incidentAfter]);
  });

  it('T-DEL-1: delete is refused (403) where the collection can be read, 404 elsewhere', async () => {
    const id = `incident--${filed[4].id}`;
    const res = await analysts.KZ.request(
      'DELETE',
      `${col('community')}/objects/${id}/`,
      undefined,
      { accept: TAXII },
    );
    expect(res.status).toBe(403);
    expect(res.body.http_status).toBe('403');
    expect(res.headers.get('content-type')).toBe(TAXII);
    const other = await analysts.KZ.request(
      'DELETE',
      `${col('state-BY')}/objects/${id}/`,
      undefined,
      { accept: TAXII },
    );
    expect(other.status).toBe(404);
    expect((await get(analysts.KZ, `${col('community')}/objects/${id}/`)).status).toBe(200);
  });

  // ---- The visibility matrix -------------------------------------------------------------

  it.each(STATES)(
    'T-STIX-4, T-ERR-2: %s never sees an AMBER or RED object it is not a party to, in any collection, by any filter or id',
    async (state) => {
      const api = analysts[state];
      const map = await owners();
      const byId = new Map(filed.map((f) => [f.id, f]));
      const party = (f: Filed) => f.reporter === state || f.dispatched.includes(state);
      const visible = (f: Filed) => party(f) || COMMUNITY.includes(f.tlp);
      const member: Record<string, (f: Filed) => boolean> = {
        public: (f) => f.tlp === 'TLP:CLEAR',
        community: (f) => COMMUNITY.includes(f.tlp),
        [`state-${state}`]: party,
      };
      for (const [alias, isMember] of Object.entries(member)) {
        const queries = [
          'objects/',
          'objects/?match[type]=incident,indicator,relationship,vulnerability',
          `objects/?match[id]=${filed.map((f) => `incident--${f.id}`).join(',')}`,
          'objects/?match[version]=all&match[spec_version]=2.1',
          'manifest/',
        ];
        for (const query of queries) {
          const { objects } = await walk(api, `${col(alias)}/${query}`, 7);
          const incidents = new Set<string>();
          for (const o of objects) {
            if (STATIC_TYPES.includes(o.id.split('--')[0])) continue;
            const incident = byId.get(map.get(o.id)!);
            if (!incident) continue; // filed by other tests (GREEN, KG/AM)
            incidents.add(incident.id);
            const tlp = o.object_marking_refs ? MARKINGS[o.object_marking_refs[0]] : incident.tlp;
            expect({
              alias,
              query,
              id: o.id,
              tlp,
              allowed: visible(incident) && isMember(incident),
            }).toEqual({
              alias,
              query,
              id: o.id,
              tlp: incident.tlp,
              allowed: true,
            });
          }
          const expected = filed.filter((f) => visible(f) && isMember(f)).map((f) => f.id);
          expect({ alias, query, incidents: [...incidents].sort() }).toEqual({
            alias,
            query,
            incidents: expected.sort(),
          });
        }
        // Each kind of object of every incident, asked for by id: present exactly when allowed.
        for (const f of filed) {
          const ids = [...map].filter(([, incident]) => incident === f.id).map(([id]) => id);
          expect(ids).toHaveLength(1 + 2 * f.observables);
          const kinds = new Map(ids.map((id) => [id.split('--')[0], id]));
          for (const id of kinds.values()) {
            const one = await get(api, `${col(alias)}/objects/${id}/`);
            const versions = await get(api, `${col(alias)}/objects/${id}/versions/`);
            const allowed = visible(f) && isMember(f);
            expect({ alias, id, status: [one.status, versions.status] }).toEqual({
              alias,
              id,
              status: allowed ? [200, 200] : [404, 404],
            });
            if (!allowed) expect(one.text + versions.text).not.toContain(f.id);
          }
        }
      }
    },
    120_000,
  );
});
