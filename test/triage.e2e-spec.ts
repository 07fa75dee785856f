import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const MISSING = '00000000-0000-4000-8000-000000000000';
// Periods in seconds; distinct so a moved deadline is unambiguous.
const SLA = { critical: 600, high: 3_600, medium: 14_400, low: 86_400 };

const incidentBody = (patch: Record<string, unknown> = {}) => ({
  title: 'Credential phishing against a bank',
  category: 'fraud/phishing',
  severity: 'medium',
  tlp: 'TLP:AMBER',
  sector: 'finance',
  reportingState: 'AM',
  affectedStates: ['KZ', 'RU'],
  ...patch,
});

describe('Reclassification and assignment (PATCH)', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let analystKZ: Api;

  async function create(patch: Record<string, unknown> = {}): Promise<string> {
    const res = await coordinator.post('/api/v1/incidents', incidentBody(patch));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const patch = (id: string, body: unknown) => coordinator.patch(`/api/v1/incidents/${id}`, body);

  const events = async (id: string, type: string) =>
    (
      await env.db.query(
        'SELECT actor, data FROM timeline_events WHERE incident_id = $1 AND type = $2 ORDER BY at',
        [id, type],
      )
    ).rows;

  const dispatches = async (id: string) =>
    (
      await env.db.query<{ state: string; created_at: Date; ack_deadline: Date | null }>(
        'SELECT state, created_at, ack_deadline FROM dispatches WHERE incident_id = $1 ORDER BY state',
        [id],
      )
    ).rows;

  const audit = async (id: string, action: string) =>
    (await admin.get(`/api/v1/audit?action=${action}&targetId=${id}`)).body.items as {
      actor: string;
      change: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    env = await createTestEnv('triage');
    service = await startService(env, {
      env: {
        CCC_SLA_ACK_SECONDS: Object.entries(SLA)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
      timeoutMs: 120_000,
    });
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analystKZ = admin.as(await admin.createKey('analyst', 'KZ'));
    // Assignees are usernames of active coordinators or admins (v2).
    for (const username of ['anna', 'duty-1', 'duty-2', 'queue-filter-check', 'bob']) {
      expect((await admin.post('/api/v1/users', { username, role: 'coordinator' })).status).toBe(
        201,
      );
    }
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('reclassifies, records from/to per field, and audits it', async () => {
    const id = await create();
    const res = await patch(id, {
      severity: 'high',
      category: 'fraud/masquerade',
      sector: 'telecom',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      severity: 'high',
      category: 'fraud/masquerade',
      sector: 'telecom',
      status: 'new',
    });
    expect(res.body.dispatches.map((d: { state: string }) => d.state)).toEqual(['KZ', 'RU']);
    const [event] = await events(id, 'reclassified');
    expect(event.actor).toMatch(/^coordinator:CCC:/);
    expect(event.data).toEqual({
      severity: { from: 'medium', to: 'high' },
      category: { from: 'fraud/phishing', to: 'fraud/masquerade' },
      sector: { from: 'finance', to: 'telecom' },
    });
    const [entry] = await audit(id, 'incident.reclassified');
    expect(entry.change).toMatchObject({ severity: { from: 'medium', to: 'high' } });
    expect(await events(id, 'assigned')).toHaveLength(0);
    const [row] = (await env.db.query('SELECT severity FROM incidents WHERE id = $1', [id])).rows;
    expect(row.severity).toBe('high');
  });

  it('records only the fields that changed', async () => {
    const id = await create();
    const res = await patch(id, { severity: 'medium', sector: 'energy' });
    expect(res.status).toBe(200);
    expect((await events(id, 'reclassified'))[0].data).toEqual({
      sector: { from: 'finance', to: 'energy' },
    });
  });

  it('a severity change moves the pending acknowledgement deadlines', async () => {
    const id = await create();
    const before = await dispatches(id);
    for (const d of before) {
      expect(d.ack_deadline!.getTime() - d.created_at.getTime()).toBe(SLA.medium * 1000);
    }
    // KZ acknowledges: its deadline is gone and must stay gone.
    expect((await analystKZ.post(`/api/v1/incidents/${id}/acknowledgements`)).status).toBe(200);
    expect((await patch(id, { severity: 'critical' })).status).toBe(200);
    const [kz, ru] = await dispatches(id);
    expect(kz.ack_deadline).toBeNull();
    expect(ru.ack_deadline!.getTime() - ru.created_at.getTime()).toBe(SLA.critical * 1000);
    const [entry] = await audit(id, 'incident.reclassified');
    expect(entry.change.ackDeadlines).toEqual([
      expect.objectContaining({ state: 'RU', ackDeadline: ru.ack_deadline!.toISOString() }),
    ]);

    expect((await patch(id, { severity: 'low' })).status).toBe(200);
    const [, later] = await dispatches(id);
    expect(later.ack_deadline!.getTime() - later.created_at.getTime()).toBe(SLA.low * 1000);
  });

  it('leaves deadlines alone when severity does not change', async () => {
    const id = await create();
    const before = await dispatches(id);
    expect((await patch(id, { category: 'fraud/masquerade', assignee: 'anna' })).status).toBe(200);
    expect(await dispatches(id)).toEqual(before);
  });

  it('assigns, reassigns and clears the assignee', async () => {
    const id = await create();
    let res = await patch(id, { assignee: 'duty-1' });
    expect(res.status).toBe(200);
    expect(res.body.assignee).toBe('duty-1');
    res = await patch(id, { assignee: 'duty-2' });
    expect(res.body.assignee).toBe('duty-2');
    res = await patch(id, { assignee: null });
    expect(res.status).toBe(200);
    expect(res.body.assignee).toBeNull();
    expect((await events(id, 'assigned')).map((e) => e.data)).toEqual([
      { from: null, to: 'duty-1' },
      { from: 'duty-1', to: 'duty-2' },
      { from: 'duty-2', to: null },
    ]);
    expect(await events(id, 'reclassified')).toHaveLength(0);
    const entries = await audit(id, 'incident.assigned');
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => e.change)).toContainEqual({
      assignee: { from: null, to: 'duty-1' },
    });
    // The queue filter finds it by assignee.
    await patch(id, { assignee: 'queue-filter-check' });
    const list = await coordinator.get('/api/v1/incidents?assignee=queue-filter-check');
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
  });

  it('an assignee must be an active coordinator or admin; v1 free text is kept', async () => {
    const id = await create();
    const { body: analyst } = await admin.post('/api/v1/users', {
      username: 'kz-analyst',
      role: 'analyst',
      state: 'KZ',
    });
    const { body: gone } = await admin.post('/api/v1/users', {
      username: 'gone',
      role: 'admin',
    });
    await admin.patch(`/api/v1/users/${gone.id}`, { disabled: true });
    for (const assignee of ['nobody', 'kz-analyst', 'gone', 'Duty officer']) {
      const res = await patch(id, { assignee });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('assignee');
    }
    expect(analyst.role).toBe('analyst');
    // Usernames are matched in lower case.
    expect((await patch(id, { assignee: 'DUTY-1' })).body.assignee).toBe('duty-1');
    // A v1 free-text value stays through other changes and when sent back unchanged.
    await env.db.query("UPDATE incidents SET assignee = 'Duty officer' WHERE id = $1", [id]);
    expect((await patch(id, { severity: 'low' })).body.assignee).toBe('Duty officer');
    const same = await patch(id, { assignee: 'Duty officer', sector: 'energy' });
    expect(same.status).toBe(200);
    expect(same.body.assignee).toBe('Duty officer');
    const list = await coordinator.get('/api/v1/incidents?assignee=Duty%20officer');
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    const none = await coordinator.get('/api/v1/incidents?assignee=none&limit=200');
    expect(none.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(none.body.items.every((i: { assignee: null }) => i.assignee === null)).toBe(true);
  });

  it('writes both events when reclassifying and assigning at once', async () => {
    const id = await create();
    expect((await patch(id, { severity: 'low', assignee: 'bob' })).status).toBe(200);
    expect(await events(id, 'reclassified')).toHaveLength(1);
    expect(await events(id, 'assigned')).toHaveLength(1);
    expect(await audit(id, 'incident.reclassified')).toHaveLength(1);
    expect(await audit(id, 'incident.assigned')).toHaveLength(1);
  });

  it('a PATCH with the current values writes nothing', async () => {
    const id = await create({ severity: 'high' });
    const res = await patch(id, { severity: 'high', sector: 'finance' });
    expect(res.status).toBe(200);
    expect(res.body.severity).toBe('high');
    expect(await events(id, 'reclassified')).toHaveLength(0);
    expect(await audit(id, 'incident.reclassified')).toHaveLength(0);
  });

  it('rejects invalid bodies with field errors and changes nothing', async () => {
    const id = await create();
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ severity: 'urgent' }, 'severity'],
      [{ severity: null }, 'severity'],
      [{ category: 'phishing' }, 'category'],
      [{ category: null }, 'category'],
      [{ sector: 'space' }, 'sector'],
      [{ assignee: 'x'.repeat(101) }, 'assignee'],
      [{ assignee: '   ' }, 'assignee'],
      [{ assignee: 42 }, 'assignee'],
      [{ status: 'closed' }, 'status'],
      [{ tlp: 'TLP:CLEAR' }, 'tlp'],
    ];
    for (const [body, field] of cases) {
      const res = await patch(id, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // Well-formed but nobody's username: assignees are active coordinators or admins now.
    const res = await patch(id, { assignee: 'x'.repeat(60) });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['assignee']);
    const stored = await coordinator.get(`/api/v1/incidents/${id}`);
    expect(stored.body).toMatchObject({ severity: 'medium', category: 'fraud/phishing' });
  });

  it('pages a severity- and status-filtered priority queue oldest first, each once', async () => {
    const category = 'vulnerable/vulnerable-system';
    const made: { id: string; severity: string; status: string }[] = [];
    for (const [i, severity] of [
      'low',
      'high',
      'low',
      'critical',
      'low',
      'high',
      'low',
    ].entries()) {
      const id = await create({ severity, category, title: `queue ${i}` });
      const status = i % 2 === 0 ? 'triaged' : 'new';
      if (status === 'triaged') {
        await coordinator.post(`/api/v1/incidents/${id}/transitions`, { to: 'triaged' });
      }
      made.push({ id, severity, status });
    }
    const pages = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await coordinator.get(
          `/api/v1/incidents?category=${category}&sort=priority&limit=1&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        ids.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };
    const expected = (pick: (m: (typeof made)[number]) => boolean) =>
      made.filter(pick).map((m) => m.id);
    expect(await pages('severity=low')).toEqual(expected((m) => m.severity === 'low'));
    expect(await pages('severity=high')).toEqual(expected((m) => m.severity === 'high'));
    expect(await pages('status=triaged&severity=low')).toEqual(
      expected((m) => m.severity === 'low' && m.status === 'triaged'),
    );
    expect(await pages('status=new')).toEqual([
      ...expected((m) => m.status === 'new' && m.severity === 'critical'),
      ...expected((m) => m.status === 'new' && m.severity === 'high'),
    ]);
    expect(await pages('severity=medium')).toEqual([]);
  });

  it('is for coordinators only; unknown incidents are 404', async () => {
    const id = await create();
    expect((await analystKZ.patch(`/api/v1/incidents/${id}`, { severity: 'low' })).status).toBe(
      403,
    );
    expect((await admin.patch(`/api/v1/incidents/${id}`, { severity: 'low' })).status).toBe(403);
    expect((await patch(MISSING, { severity: 'low' })).status).toBe(404);
    expect((await patch('42', { severity: 'low' })).status).toBe(404);
  });
});
