import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { concurrentWriter, expectEachOnce, walk } from './support/walk.js';

/**
 * The paging rule of the contract, on every list: paging until `nextCursor` is null visits
 * every item exactly once, also while rows are being inserted (and, for the priority order,
 * while coordinators reclassify), and a cursor the service did not issue is a 400.
 */

const incident = (patch: Record<string, unknown> = {}) => ({
  title: 'Paging walk',
  category: 'information-gathering/scanner',
  severity: 'medium',
  tlp: 'TLP:AMBER',
  sector: 'telecom',
  reportingState: 'AM',
  ...patch,
});
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const SHARED = { type: 'domain', value: 'paging-shared.example' };
/** Rows each writer adds during one walk: an ascending walk sees them too, so it must end. */
const WRITES = 3;

describe('Paging: one keyset paginator on every list', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let incidentId: string;

  const ids = async (text: string, params: unknown[] = []) =>
    (await env.db.query<{ id: string }>(text, params)).rows.map((r) => r.id);

  /** Rows sharing one created_at (ties broken by id) and rows within one millisecond. */
  async function insertDeliveries(n: number) {
    await env.db.query(
      `INSERT INTO deliveries (event_id, event, party, channel, status, created_at)
       SELECT gen_random_uuid(), 'incident.routed', 'BY', 'webhook', 'failed',
              CASE WHEN k % 2 = 0 THEN now() ELSE date_trunc('milliseconds', now()) + k * interval '1 microsecond' END
         FROM generate_series(1, $1) AS k`,
      [n],
    );
  }
  async function insertReports(n: number) {
    await env.db.query(
      `INSERT INTO reports (kind, period_from, period_to, audience, status, error, created_at)
       SELECT 'on-demand', '2026-01-01', '2026-01-02', 'community', 'failed', 'paging test',
              CASE WHEN k % 2 = 0 THEN now() ELSE date_trunc('milliseconds', now()) + k * interval '1 microsecond' END
         FROM generate_series(1, $1) AS k`,
      [n],
    );
  }

  interface ListCase {
    label: string;
    path: string;
    /** Every item of the list, read from the database before the walk. */
    existing: () => Promise<string[]>;
    write?: (n: number) => Promise<unknown>;
    idOf?: (item: any) => string;
  }

  const cases = (): ListCase[] => [
    {
      label: 'incidents, newest first',
      path: '/api/v1/incidents',
      existing: () => ids('SELECT id FROM incidents'),
      write: (n) =>
        coordinator.post('/api/v1/incidents', incident({ severity: SEVERITIES[n % 4] })),
    },
    {
      label: 'incidents by priority',
      path: '/api/v1/incidents?sort=priority',
      existing: () => ids('SELECT id FROM incidents'),
      write: (n) =>
        coordinator.post('/api/v1/incidents', incident({ severity: SEVERITIES[n % 4] })),
    },
    {
      label: 'incidents, last updated first',
      path: '/api/v1/incidents?sort=-updatedAt',
      existing: () => ids('SELECT id FROM incidents'),
      write: (n) =>
        coordinator.post('/api/v1/incidents', incident({ severity: SEVERITIES[n % 4] })),
    },
    {
      label: 'incidents by deadline',
      path: '/api/v1/incidents?sort=deadlineAt',
      existing: () => ids('SELECT id FROM incidents'),
      write: (n) =>
        coordinator.post(
          '/api/v1/incidents',
          incident({ severity: SEVERITIES[n % 4], affectedStates: n % 2 ? ['KZ'] : [] }),
        ),
    },
    {
      label: 'incidents awaiting acknowledgement, several statuses',
      path: '/api/v1/incidents?awaitingAck=true&status=new,triaged&sort=deadlineAt',
      existing: () =>
        ids(`SELECT DISTINCT i.id FROM incidents i JOIN dispatches d ON d.incident_id = i.id
              WHERE d.acknowledged_at IS NULL AND i.status IN ('new', 'triaged')`),
      write: (n) =>
        coordinator.post(
          '/api/v1/incidents',
          incident({ affectedStates: ['KZ'], severity: SEVERITIES[n % 4] }),
        ),
    },
    {
      label: 'timeline',
      path: `/api/v1/incidents/${incidentId}/timeline`,
      existing: () => ids('SELECT id FROM timeline_events WHERE incident_id = $1', [incidentId]),
      write: (n) => coordinator.post(`/api/v1/incidents/${incidentId}/comments`, { body: `c${n}` }),
    },
    {
      label: 'related',
      path: `/api/v1/incidents/${incidentId}/related`,
      existing: () =>
        ids(
          `SELECT DISTINCT incident_id AS id FROM incident_observables
            WHERE type = $1 AND value = $2 AND incident_id <> $3`,
          [SHARED.type, SHARED.value, incidentId],
        ),
      write: () => coordinator.post('/api/v1/incidents', incident({ observables: [SHARED] })),
      idOf: (item) => item.incident.id,
    },
    {
      label: 'audit, newest first',
      path: '/api/v1/audit',
      existing: () => ids('SELECT id FROM audit_log'),
      write: () => admin.createKey('analyst', 'KG'),
    },
    {
      label: 'audit, oldest first',
      path: '/api/v1/audit?sort=seq',
      existing: () => ids('SELECT id FROM audit_log'),
      write: () => admin.createKey('analyst', 'KG'),
    },
    {
      label: 'member states',
      path: '/api/v1/member-states',
      existing: () => ids('SELECT code AS id FROM member_states'),
      idOf: (item) => item.code,
    },
    {
      label: 'deliveries',
      path: '/api/v1/deliveries',
      existing: () => ids('SELECT id FROM deliveries'),
      write: () => insertDeliveries(2),
    },
    {
      label: 'api keys',
      path: '/api/v1/api-keys',
      existing: () => ids('SELECT id FROM api_keys'),
      write: () => admin.createKey('analyst', 'TJ'),
    },
    {
      label: 'reports',
      path: '/api/v1/reports',
      existing: () => ids('SELECT id FROM reports'),
      write: () => insertReports(2),
    },
  ];

  beforeAll(async () => {
    env = await createTestEnv('paging');
    service = await startService(env);
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    const created: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await coordinator.post(
        '/api/v1/incidents',
        incident({
          severity: SEVERITIES[i % 4],
          observables: i < 5 ? [SHARED] : [],
          affectedStates: i % 2 ? ['KZ'] : [],
        }),
      );
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    incidentId = created[0];
    // Ties: several incidents created in the same microsecond, ordered by id alone.
    await env.db.query(
      `UPDATE incidents SET created_at = (SELECT created_at FROM incidents WHERE id = $1)
        WHERE id = ANY($2::uuid[])`,
      [created[1], created.slice(1, 5)],
    );
    for (let i = 0; i < 3; i++) {
      await coordinator.post(`/api/v1/incidents/${incidentId}/comments`, { body: `c${i}` });
    }
    for (let i = 0; i < 3; i++) await admin.createKey('analyst', 'BY');
    // Several keys in one statement share created_at: only the id orders them.
    await env.db.query(
      `INSERT INTO api_keys (name, role, state, key_hash)
       SELECT 'tie-' || k, 'analyst', 'RU', md5('tie' || k) || md5('k' || k)
         FROM generate_series(1, 3) AS k`,
    );
    await insertDeliveries(6);
    await insertReports(6);
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('visits every item exactly once on every list, limit 1 to 3, while rows are inserted', async () => {
    // Every list is walked before asserting, so a failure names all the lists that fail.
    const failures: string[] = [];
    for (const list of cases()) {
      for (const limit of [1, 2, 3]) {
        const existing = await list.existing();
        expect(existing.length).toBeGreaterThan(3);
        const writer = concurrentWriter(async (n) => {
          if (list.write && n < WRITES) {
            const res: any = await list.write(n);
            if (res && typeof res.status === 'number' && res.status >= 300) {
              throw new Error(`${list.label} writer: ${res.status} ${res.text}`);
            }
          } else {
            await new Promise((r) => setImmediate(r));
          }
        });
        try {
          const seen = await walk(admin, {
            path: list.path,
            limit,
            idOf: list.idOf,
            maxPages: Math.ceil((existing.length + WRITES * 2) / limit) + 5,
            between: () => writer.landed(),
          });
          expectEachOnce(seen, existing, `${list.label}, limit ${limit}`);
        } catch (err) {
          failures.push(`${list.label}, limit ${limit}: ${(err as Error).message.slice(0, 300)}`);
        } finally {
          await writer.stop();
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('never lists an incident twice by priority while coordinators reclassify', async () => {
    // A walk of its own category: critical, critical, high, medium, low, low.
    const category = 'fraud/phishing';
    const made: Record<string, string> = {};
    for (const [name, severity] of [
      ['a', 'critical'],
      ['b', 'critical'],
      ['c', 'high'],
      ['d', 'medium'],
      ['e', 'low'],
      ['f', 'low'],
    ]) {
      const res = await coordinator.post('/api/v1/incidents', incident({ severity, category }));
      made[name] = res.body.id;
    }
    const path = `/api/v1/incidents?sort=priority&category=${encodeURIComponent(category)}`;
    let page = 0;
    const seen = await walk(coordinator, {
      path,
      limit: 1,
      maxPages: 20,
      between: async () => {
        if (page++ !== 0) return;
        // After the first page (a): a drops to low, after the cursor; e rises to critical.
        for (const [id, severity] of [
          [made.a, 'low'],
          [made.e, 'critical'],
        ]) {
          const res = await coordinator.patch(`/api/v1/incidents/${id}`, { severity });
          expect(res.status).toBe(200);
        }
      },
    });
    expect(seen[0]).toBe(made.a);
    expectEachOnce(seen, [made.a, made.b, made.c, made.d, made.f], 'reclassified');

    // At random, concurrently: every incident left alone is seen exactly once, none twice.
    const all = await ids('SELECT id FROM incidents');
    for (const limit of [1, 2, 3]) {
      const touched = new Set<string>();
      const writer = concurrentWriter(async (n) => {
        if (n >= 12) return new Promise((r) => setImmediate(r));
        const id = all[(n * 7 + limit) % all.length];
        touched.add(id);
        const res = await coordinator.patch(`/api/v1/incidents/${id}`, {
          severity: SEVERITIES[(n + limit) % 4],
        });
        if (res.status !== 200) throw new Error(`reclassify: ${res.status} ${res.text}`);
      });
      let walked: string[];
      try {
        walked = await walk(coordinator, {
          path: '/api/v1/incidents?sort=priority',
          limit,
          maxPages: Math.ceil(all.length / limit) + 30,
          between: () => writer.landed(),
        });
      } finally {
        await writer.stop();
      }
      const untouched = all.filter((id) => !touched.has(id));
      expectEachOnce(walked, untouched, `priority while reclassifying, limit ${limit}`);
    }
  });

  it('never lists an incident twice by deadline while states acknowledge and deadlines move', async () => {
    // Dispatched to KZ, deadlines one period of their severity away: b, c, a, d by deadline.
    const category = 'vulnerable/weak-crypto';
    const made: Record<string, string> = {};
    for (const [name, severity] of [
      ['a', 'medium'],
      ['b', 'critical'],
      ['c', 'high'],
      ['d', 'low'],
    ]) {
      const res = await coordinator.post(
        '/api/v1/incidents',
        incident({ severity, category, affectedStates: ['KZ'] }),
      );
      made[name] = res.body.id;
    }
    const kz = admin.as(await admin.createKey('analyst', 'KZ'));
    const path = `/api/v1/incidents?sort=deadlineAt&category=${encodeURIComponent(category)}`;
    let page = 0;
    const seen = await walk(coordinator, {
      path,
      limit: 1,
      maxPages: 20,
      between: async () => {
        if (page++ !== 0) return;
        // After the first page (b): b is acknowledged, its deadline gone: it moves to the end.
        // c is reclassified low: its deadline moves after d's.
        expect((await kz.post(`/api/v1/incidents/${made.b}/acknowledgements`)).status).toBe(200);
        const res = await coordinator.patch(`/api/v1/incidents/${made.c}`, { severity: 'low' });
        expect(res.status).toBe(200);
      },
    });
    expect(seen[0]).toBe(made.b);
    expectEachOnce(seen, [made.a, made.b, made.d], 'deadlines moved');

    // By last update: an update that lands with an earlier time (a long transaction's clock)
    // moves an incident already seen behind the cursor; it must not be listed again.
    page = 0;
    const updated = await walk(coordinator, {
      path: `/api/v1/incidents?sort=-updatedAt&category=${encodeURIComponent(category)}`,
      limit: 1,
      maxPages: 20,
      between: async () => {
        if (page++ !== 0) return;
        await env.db.query(
          `UPDATE incidents SET updated_at = updated_at - interval '1 day'
            WHERE id = (SELECT id FROM incidents WHERE category = $1
                        ORDER BY updated_at DESC, id DESC LIMIT 1)`,
          [category],
        );
      },
    });
    expectEachOnce(
      updated.slice(1),
      Object.values(made).filter((id) => id !== updated[0]),
      'updated back',
    );
    expect(updated.filter((id) => id === updated[0])).toHaveLength(1);
  });

  it('answers 400 naming `cursor` to a cursor it did not issue, on every list', async () => {
    const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const uuid = '00000000-0000-4000-8000-000000000000';
    const otherList = (await admin.get('/api/v1/api-keys?limit=1')).body.nextCursor;
    expect(otherList).toEqual(expect.any(String));
    const forged = [
      'not-a-cursor',
      base64(['2026-01-01T00:00:00.000Z', uuid]),
      base64(['x', 'y']),
      base64(['9999-99-99T99:99:99.999999Z', 'not-a-uuid', 3]),
      base64([1, '2026-01-01T00:00:00.000000Z', uuid]),
      base64({ k: 'reports', v: ['2026-02-30T00:00:00.000000Z', uuid] }),
      base64({ k: 'incidents:priority', v: ['0', '2026-01-01T00:00:00.000000Z', uuid] }),
      base64({ k: 'incidents:deadlineAt', v: ['infinity', '2026-01-01T00:00:00.000000Z', uuid] }),
      base64({ k: 'incidents:-updatedAt', v: ['2026-01-01T00:00:00.000000Z', uuid] }),
      base64({
        k: 'incidents:deadlineAt',
        v: ['infinity', '2026-01-01T00:00:00.000000Z', uuid],
        s: '0:1:',
      }),
      base64({ k: 'incidents:-updatedAt', v: ['infinite', uuid], s: '5:5:' }),
    ];
    const answers: string[] = [];
    for (const path of cases().map((c) => c.path)) {
      for (const cursor of [...forged, ...(path.endsWith('api-keys') ? [] : [otherList])]) {
        const url = `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
        const res = await admin.get(url);
        const named = res.body?.errors?.length === 1 && res.body.errors[0].field === 'cursor';
        const type = res.headers.get('content-type') ?? '';
        if (res.status !== 400 || !named || !type.includes('application/problem+json')) {
          answers.push(`${res.status} ${path} ${Buffer.from(cursor, 'base64url').toString()}`);
        }
      }
    }
    expect(answers).toEqual([]);
  });

  it('answers a well-formed cursor for a row that never existed with a correct page', async () => {
    const after = Buffer.from(
      JSON.stringify({
        k: 'reports',
        v: ['9999-12-31T23:59:59.999999Z', 'ffffffff-ffff-4fff-bfff-ffffffffffff'],
      }),
    ).toString('base64url');
    const res = await admin.get(`/api/v1/reports?limit=200&cursor=${after}`);
    expect(res.status).toBe(200);
    const all = await ids('SELECT id FROM reports ORDER BY created_at DESC, id DESC');
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(all);
  });
});
