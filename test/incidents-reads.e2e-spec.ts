import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const body = (patch: Record<string, unknown> = {}) => ({
  title: 'Scanning from a hosting range',
  category: 'information-gathering/scanner',
  severity: 'medium',
  tlp: 'TLP:AMBER',
  sector: 'telecom',
  reportingState: 'AM',
  ...patch,
});

describe('Incident reads and acknowledgements', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;

  async function listAll(api: Api, query: string, limit = 7): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.get(
        `/api/v1/incidents?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  }

  beforeAll(async () => {
    env = await createTestEnv('reads');
    service = await startService(env);
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('pages through every incident exactly once while new ones arrive', async () => {
    const existing: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await coordinator.post('/api/v1/incidents', body({ title: `page ${i}` }));
      existing.push(res.body.id);
    }
    for (const sort of ['', '&sort=priority']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const page: any = await coordinator.get(
          `/api/v1/incidents?limit=4${sort}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
        // New incidents land while paging, also ones that sort before the cursor.
        await coordinator.post(
          '/api/v1/incidents',
          body({ title: `arrival ${round++}`, severity: round % 2 ? 'critical' : 'low' }),
        );
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of existing) expect(seen).toContain(id);
    }
  });

  it('sorts by priority: critical first, then oldest first', async () => {
    const ids: Record<string, string> = {};
    for (const severity of ['low', 'critical', 'medium', 'high', 'critical']) {
      const res = await coordinator.post(
        '/api/v1/incidents',
        body({ title: `prio ${severity}`, severity, category: 'vulnerable/weak-crypto' }),
      );
      ids[`${severity}${ids[severity] ? '2' : ''}`] = res.body.id;
    }
    const res = await coordinator.get(
      '/api/v1/incidents?sort=priority&category=vulnerable/weak-crypto&limit=200',
    );
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([
      ids.critical,
      ids.critical2,
      ids.high,
      ids.medium,
      ids.low,
    ]);
    const newest = await coordinator.get('/api/v1/incidents?category=vulnerable/weak-crypto');
    expect(newest.body.items[0].id).toBe(ids.critical2);
  });

  it('filters by every field and searches title and description', async () => {
    const target = await coordinator.post(
      '/api/v1/incidents',
      body({
        title: 'Ransomware at the water utility',
        description: 'Encrypted SCADA historian, ransom note mentions zeppelinlocker',
        category: 'malicious-code/infected-system',
        severity: 'critical',
        tlp: 'TLP:RED',
        sector: 'water',
        reportingState: 'KG',
        affectedStates: ['TJ'],
      }),
    );
    expect(target.status).toBe(201);
    const id = target.body.id;
    await env.db.query(
      "UPDATE incidents SET assignee = 'duty officer', status = 'triaged' WHERE id = $1",
      [id],
    );
    const matching = [
      'status=triaged',
      'severity=critical',
      'category=malicious-code/infected-system',
      'tlp=TLP:RED',
      'reportingState=KG',
      'dispatchedTo=TJ',
      'assignee=duty%20officer',
      'q=zeppelinlocker',
      'q=Ransomware%20utility',
      'q=ransomware&reportingState=KG&status=triaged',
    ];
    for (const query of matching) {
      const ids = await listAll(coordinator, `&${query}`, 200);
      expect({ query, found: ids.includes(id) }).toEqual({ query, found: true });
    }
    const missing = [
      'status=new',
      'severity=low',
      'tlp=TLP:GREEN',
      'reportingState=AM',
      'dispatchedTo=RU',
      'assignee=nobody',
      'q=phishing',
      'q=ransomware&reportingState=AM',
    ];
    for (const query of missing) {
      const ids = await listAll(coordinator, `&${query}`, 200);
      expect({ query, found: ids.includes(id) }).toEqual({ query, found: false });
    }
  });

  it('uses the GIN index for q and the priority index for sort=priority', async () => {
    const plan = async (sqlText: string, params: unknown[]) => {
      const client = await env.db.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const res = await client.query(`EXPLAIN ${sqlText}`, params);
        await client.query('ROLLBACK');
        return res.rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        client.release();
      }
    };
    expect(
      await plan(
        `SELECT i.id FROM incidents i WHERE to_tsvector('simple', i.title || ' ' || coalesce(i.description, '')) @@ plainto_tsquery('simple', $1)`,
        ['zeppelinlocker'],
      ),
    ).toContain('incidents_search_idx');
    expect(
      await plan(
        `SELECT i.id FROM incidents i ORDER BY (CASE i.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END) ASC, i.created_at ASC, i.id ASC LIMIT 5`,
        [],
      ),
    ).toContain('incidents_priority_idx');
  });

  it('rejects bad list parameters with 400', async () => {
    for (const query of [
      'limit=0',
      'limit=201',
      'sort=title',
      'severity=urgent',
      'colour=red',
      'cursor=not-a-cursor',
      `cursor=${Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url')}`,
      `cursor=${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', '00000000-0000-4000-8000-000000000000'])).toString('base64url')}&sort=priority`,
    ]) {
      const res = await coordinator.get(`/api/v1/incidents?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await coordinator.get('/api/v1/incidents/not-a-uuid')).status).toBe(404);
    expect(
      (await coordinator.get('/api/v1/incidents/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
  });

  describe('acknowledgements', () => {
    let id: string;
    let kz: Api;
    let by: Api;

    beforeAll(async () => {
      const res = await coordinator.post(
        '/api/v1/incidents',
        body({ tlp: 'TLP:GREEN', reportingState: 'AM', affectedStates: ['KZ'] }),
      );
      id = res.body.id;
      kz = admin.as(await admin.createKey('analyst', 'KZ'));
      by = admin.as(await admin.createKey('analyst', 'BY'));
    });

    it('marks the caller state dispatch acknowledged and records it once', async () => {
      const first = await kz.post(`/api/v1/incidents/${id}/acknowledgements`);
      expect(first.status).toBe(200);
      const dispatch = first.body.dispatches.find((d: { state: string }) => d.state === 'KZ');
      expect(dispatch.status).toBe('acknowledged');
      expect(new Date(dispatch.acknowledgedAt).toISOString()).toBe(dispatch.acknowledgedAt);
      const row = await env.db.query(
        "SELECT ack_deadline, acknowledged_by FROM dispatches WHERE incident_id = $1 AND state = 'KZ'",
        [id],
      );
      expect(row.rows[0].ack_deadline).toBeNull();
      expect(row.rows[0].acknowledged_by).toContain('analyst:KZ');

      const outboxBefore = await env.db.query('SELECT count(*) AS n FROM outbox');
      const again = await kz.post(`/api/v1/incidents/${id}/acknowledgements`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const outboxAfter = await env.db.query('SELECT count(*) AS n FROM outbox');
      expect(outboxAfter.rows[0].n).toBe(outboxBefore.rows[0].n);

      const timeline = await env.db.query(
        "SELECT count(*)::int AS n FROM timeline_events WHERE incident_id = $1 AND type = 'acknowledged'",
        [id],
      );
      expect(timeline.rows[0].n).toBe(1);
      const updates = await env.db.query(
        "SELECT party FROM outbox WHERE incident_id = $1 AND type = 'incident.updated' ORDER BY party",
        [id],
      );
      expect(updates.rows.map((r) => r.party)).toEqual(['AM', 'KZ']);
    });

    it('refuses states without a dispatch (403) and other roles (403)', async () => {
      const res = await by.post(`/api/v1/incidents/${id}/acknowledgements`);
      expect(res.status).toBe(403);
      expect((await coordinator.post(`/api/v1/incidents/${id}/acknowledgements`)).status).toBe(403);
      expect((await admin.post(`/api/v1/incidents/${id}/acknowledgements`)).status).toBe(403);
    });

    it('answers 404 for an incident the analyst cannot see, as for an absent one', async () => {
      const hidden = await coordinator.post(
        '/api/v1/incidents',
        body({ tlp: 'TLP:AMBER', reportingState: 'AM', affectedStates: ['RU'] }),
      );
      const res = await by.post(`/api/v1/incidents/${hidden.body.id}/acknowledgements`);
      const absent = await by.post(
        '/api/v1/incidents/00000000-0000-4000-8000-000000000000/acknowledgements',
      );
      expect([res.status, absent.status]).toEqual([404, 404]);
      expect(res.body).toEqual(absent.body);
    });
  });
});
