import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

/**
 * `POST /api/v1/incidents/bulk`: each id through exactly the code of its single routes
 * (PATCH for assignee, severity, category; POST …/transitions), so the same rules, timeline
 * and audit entries; per-id outcomes, one failing id changing nothing of itself or the others.
 */
describe('Bulk actions on incidents', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let analyst: Api;
  let coordinatorName: string;

  const file = async (patch: Record<string, unknown> = {}): Promise<string> => {
    const res = await coordinator.post('/api/v1/incidents', {
      title: 'Bulk',
      category: 'fraud/phishing',
      severity: 'medium',
      tlp: 'TLP:AMBER',
      sector: 'finance',
      reportingState: 'AM',
      affectedStates: ['KZ'],
      ...patch,
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const files = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await file());
    return ids;
  };
  const bulk = (body: unknown, api = coordinator) => api.post('/api/v1/incidents/bulk', body);
  const get = async (id: string) => (await coordinator.get(`/api/v1/incidents/${id}`)).body;

  /** What the single routes leave behind, without ids and times: comparable across incidents. */
  const traces = async (id: string) => {
    const timeline = (
      await env.db.query(
        `SELECT type, actor, data FROM timeline_events
          WHERE incident_id = $1 AND type NOT IN ('created', 'routed', 'notified') ORDER BY at, id`,
        [id],
      )
    ).rows;
    const audit = (
      await env.db.query(
        `SELECT action, actor, change FROM audit_log
          WHERE target_id = $1 AND action <> 'incident.created' ORDER BY seq`,
        [id],
      )
    ).rows.map((r: { change: string | Record<string, unknown> }) => {
      const change = typeof r.change === 'string' ? JSON.parse(r.change) : r.change;
      // Dispatch ids and instants differ between incidents; their presence must not.
      return { ...r, change: { ...change, ackDeadlines: change.ackDeadlines?.length } };
    });
    const outbox = (
      await env.db.query(
        `SELECT type, party FROM outbox WHERE incident_id = $1 AND type <> 'incident.routed'
          ORDER BY party, type`,
        [id],
      )
    ).rows;
    return { timeline, audit, outbox };
  };
  const counts = async () =>
    (
      await env.db.query(
        `SELECT (SELECT count(*) FROM timeline_events)::int AS timeline,
                (SELECT count(*) FROM audit_log)::int AS audit,
                (SELECT count(*) FROM outbox)::int AS outbox,
                (SELECT string_agg(id || status || severity || category || coalesce(assignee, '-'), ','
                   ORDER BY id) FROM incidents) AS incidents`,
      )
    ).rows[0];

  beforeAll(async () => {
    env = await createTestEnv('bulk');
    service = await startService(env);
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analyst = admin.as(await admin.createKey('analyst', 'KZ'));
    for (const username of ['anna', 'boris']) {
      expect((await admin.post('/api/v1/users', { username, role: 'coordinator' })).status).toBe(
        201,
      );
    }
    coordinatorName = (
      await env.db.query('SELECT name FROM api_keys WHERE role = $1', ['coordinator'])
    ).rows[0].name;
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('leaves exactly the traces of the single routes: assign, reclassify, triage', async () => {
    const [single, bulked] = await files(2);
    expect(
      (
        await coordinator.patch(`/api/v1/incidents/${single}`, {
          assignee: 'anna',
          severity: 'high',
          category: 'fraud/masquerade',
        })
      ).status,
    ).toBe(200);
    expect(
      (await coordinator.post(`/api/v1/incidents/${single}/transitions`, { to: 'triaged' })).status,
    ).toBe(200);
    const res = await bulk({
      ids: [bulked],
      assignee: 'anna',
      severity: 'high',
      category: 'fraud/masquerade',
      transition: { to: 'triaged' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [{ id: bulked, status: 200 }] });
    expect(await traces(bulked)).toEqual(await traces(single));
    const after = await get(bulked);
    expect(after).toMatchObject({
      assignee: 'anna',
      severity: 'high',
      category: 'fraud/masquerade',
      status: 'triaged',
    });
    // The severity change moved the deadline as the PATCH route does: one high period.
    const moved = (incident: { createdAt: string; dispatches: { deadlineAt: string }[] }) =>
      Date.parse(incident.dispatches[0].deadlineAt) - Date.parse(incident.createdAt);
    expect(moved(after)).toBe(moved(await get(single)));
    const timeline = (await traces(bulked)).timeline.map((t: { type: string }) => t.type);
    expect(timeline).toEqual(['reclassified', 'assigned', 'transitioned']);
    expect((await traces(bulked)).timeline[0].actor).toContain(coordinatorName);
  });

  it('rejects many with one note, as the transition route does', async () => {
    const ids = await files(3);
    const res = await bulk({ ids, transition: { to: 'rejected', note: 'Scanner noise' } });
    expect(res.body.results).toEqual(ids.map((id) => ({ id, status: 200 })));
    for (const id of ids) {
      expect((await get(id)).status).toBe('rejected');
      const [t] = (await traces(id)).timeline;
      expect(t).toMatchObject({
        type: 'transitioned',
        data: { from: 'new', to: 'rejected', note: 'Scanner noise' },
      });
      // Nobody waits for an acknowledgement any more.
      expect((await get(id)).dispatches[0].deadlineAt).toBeNull();
    }
  });

  it('answers per id, in order, with the single route’s problem; a failing id changes nothing', async () => {
    const [fresh, rejected, other] = await files(3);
    await coordinator.post(`/api/v1/incidents/${rejected}/transitions`, {
      to: 'rejected',
      note: 'x',
    });
    const before = await traces(rejected);
    const res = await bulk({
      ids: [fresh, rejected, MISSING, other],
      assignee: 'boris',
      transition: { to: 'triaged' },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      [fresh, 200],
      [rejected, 409],
      [MISSING, 404],
      [other, 200],
    ]);
    const single409 = await coordinator.post(`/api/v1/incidents/${rejected}/transitions`, {
      to: 'triaged',
    });
    expect(res.body.results[1].problem).toEqual(single409.body);
    expect(res.body.results[1].problem).toMatchObject({ type: '/problems/conflict', status: 409 });
    const single404 = await coordinator.post(`/api/v1/incidents/${MISSING}/transitions`, {
      to: 'triaged',
    });
    expect(res.body.results[2].problem).toEqual(single404.body);
    expect(res.body.results[0].problem).toBeUndefined();
    // The 409 id was not assigned either: its PATCH part rolled back with the transition.
    expect((await get(rejected)).assignee).toBeNull();
    expect(await traces(rejected)).toEqual(before);
    for (const id of [fresh, other]) {
      expect(await get(id)).toMatchObject({ assignee: 'boris', status: 'triaged' });
    }
  });

  it('checks each id by the single route’s rules: a bad assignee or a missing summary', async () => {
    const [id] = await files(1);
    for (const to of ['triaged', 'in_progress']) {
      expect((await coordinator.post(`/api/v1/incidents/${id}/transitions`, { to })).status).toBe(
        200,
      );
    }
    const before = await counts();
    const badAssignee = await bulk({ ids: [id], assignee: 'nobody-here' });
    expect(badAssignee.body.results[0]).toMatchObject({
      id,
      status: 400,
      problem: { type: '/problems/validation', errors: [{ field: 'assignee' }] },
    });
    // Resolving needs a summary per incident, which bulk does not take: each id is refused.
    const resolve = await bulk({ ids: [id], assignee: 'anna', transition: { to: 'resolved' } });
    expect(resolve.body.results[0]).toMatchObject({ id, status: 400 });
    expect(resolve.body.results[0].problem.errors[0].field).toMatch(/^resolution/);
    expect(await counts()).toEqual(before);
  });

  it('is for coordinators: an analyst gets 403 and nothing changes', async () => {
    const [id] = await files(1);
    const before = await counts();
    const res = await bulk({ ids: [id], transition: { to: 'triaged' } }, analyst);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with 400 naming the field, changing nothing', async () => {
    const [id] = await files(1);
    const tooMany = Array.from(
      { length: 201 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const cases: [unknown, string][] = [
      [{ ids: [], transition: { to: 'triaged' } }, 'ids'],
      [{ ids: tooMany, transition: { to: 'triaged' } }, 'ids'],
      [{ ids: [id, id], transition: { to: 'triaged' } }, 'ids'],
      [{ ids: ['not-a-uuid'], transition: { to: 'triaged' } }, 'ids'],
      [{ ids: id, transition: { to: 'triaged' } }, 'ids'],
      [{ transition: { to: 'triaged' } }, 'ids'],
      [{ ids: [id] }, 'body'],
      [{ ids: [id], transition: { to: 'done' } }, 'transition.to'],
      [
        { ids: [id], transition: { to: 'resolved', resolution: { summary: 'x' } } },
        'transition.resolution',
      ],
      [{ ids: [id], severity: 'urgent' }, 'severity'],
      [{ ids: [id], category: 'fraud' }, 'category'],
      [{ ids: [id], sector: 'energy' }, 'sector'],
      [{ ids: [id], assignee: '  ' }, 'assignee'],
      [{ ids: [id], transition: { to: 'triaged' }, extra: 1 }, 'extra'],
    ];
    const before = await counts();
    for (const [body, field] of cases) {
      const res = await bulk(body);
      const fields = [...new Set((res.body?.errors ?? []).map((e: { field: string }) => e.field))];
      expect({ field, status: res.status, fields }).toEqual({
        field,
        status: 400,
        fields: [field],
      });
    }
    // Exactly 200 is allowed (unknown ids: 404 each).
    const limit = await bulk({ ids: tooMany.slice(0, 200), severity: 'low' });
    expect(limit.status).toBe(200);
    expect(limit.body.results).toHaveLength(200);
    expect(new Set(limit.body.results.map((r: { status: number }) => r.status))).toEqual(
      new Set([404]),
    );
    expect(await counts()).toEqual(before);
  });
});
