import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { eventually } from './support/webhook-receiver.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** BY reports; KZ is affected; evil.ru is RU's constituency (suggested only under TLP:RED). */
const incidentBody = (patch: Record<string, unknown> = {}) => ({
  title: 'Web shell on a ministry portal',
  category: 'intrusions/application-compromise',
  severity: 'high',
  tlp: 'TLP:RED',
  sector: 'government',
  reportingState: 'BY',
  affectedStates: ['KZ'],
  observables: [{ type: 'domain', value: 'cdn.evil.ru' }],
  ...patch,
});

/** What each target needs in the body. */
const needs: Record<string, Record<string, unknown>> = {
  rejected: { note: 'Not an incident: a scheduled penetration test' },
  resolved: { resolution: { summary: 'Web shell removed', lessonsLearned: 'Patch CMS plugins' } },
};

describe('Incident state machine over HTTP', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let analystBY: Api;

  async function create(patch: Record<string, unknown> = {}): Promise<string> {
    const res = await coordinator.post('/api/v1/incidents', incidentBody(patch));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const transition = (id: string, body: Record<string, unknown>) =>
    coordinator.post(`/api/v1/incidents/${id}/transitions`, body);

  /** Walks an incident to `status` along legal steps. */
  async function createIn(status: string): Promise<string> {
    const id = await create();
    const path: Record<string, string[]> = {
      new: [],
      triaged: ['triaged'],
      in_progress: ['triaged', 'in_progress'],
      resolved: ['triaged', 'in_progress', 'resolved'],
      closed: ['triaged', 'in_progress', 'resolved', 'closed'],
      rejected: ['rejected'],
      duplicate: ['duplicate'],
    };
    const original = status === 'duplicate' ? await create() : null;
    for (const to of path[status]) {
      const res = await transition(id, {
        to,
        ...needs[to],
        ...(original ? { duplicateOf: original } : {}),
      });
      expect(res.status).toBe(200);
    }
    return id;
  }

  const timelineTypes = async (id: string) =>
    (
      await env.db.query<{ type: string }>(
        'SELECT type FROM timeline_events WHERE incident_id = $1 ORDER BY at, id',
        [id],
      )
    ).rows.map((r) => r.type);

  beforeAll(async () => {
    env = await createTestEnv('state_machine');
    service = await startService(env);
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analystBY = admin.as(await admin.createKey('analyst', 'BY'));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('walks the main path, reopens, and resolves again', async () => {
    const id = await create();
    const steps: [string, Record<string, unknown>][] = [
      ['triaged', { note: 'Looks real' }],
      ['in_progress', {}],
      ['resolved', needs.resolved],
      ['in_progress', { note: 'Web shell is back' }],
      ['resolved', { resolution: { summary: 'Server rebuilt' } }],
      ['closed', {}],
    ];
    let step = 1;
    for (const [to, extra] of steps) {
      step++;
      const res = await transition(id, { to, ...extra });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(to);
      expect(res.body.id).toBe(id);
      const [row] = (await env.db.query('SELECT status FROM incidents WHERE id = $1', [id])).rows;
      expect(row.status).toBe(to);
      if (to === 'resolved' && step === 4) {
        expect(res.body.resolution).toEqual({
          summary: 'Web shell removed',
          lessonsLearned: 'Patch CMS plugins',
        });
        expect(res.body.resolvedAt).not.toBeNull();
      }
      if (to === 'in_progress' && step === 5) {
        // Reopening clears resolvedAt and keeps the last resolution text.
        expect(res.body.resolvedAt).toBeNull();
        expect(res.body.resolution.summary).toBe('Web shell removed');
      }
    }
    const closed = await coordinator.get(`/api/v1/incidents/${id}`);
    expect(closed.body).toMatchObject({
      status: 'closed',
      resolution: { summary: 'Server rebuilt', lessonsLearned: null },
    });
    expect(closed.body.resolvedAt).not.toBeNull();
    expect((await timelineTypes(id)).filter((t) => t === 'transitioned')).toHaveLength(6);

    const transitions = (
      await env.db.query(
        "SELECT data FROM timeline_events WHERE incident_id = $1 AND type = 'transitioned' ORDER BY at",
        [id],
      )
    ).rows.map((r) => r.data);
    expect(transitions[0]).toEqual({ from: 'new', to: 'triaged', note: 'Looks real' });
    expect(transitions[3]).toEqual({
      from: 'resolved',
      to: 'in_progress',
      note: 'Web shell is back',
    });
  });

  it.each(['new', 'triaged', 'in_progress'])('%s → rejected with a note', async (from) => {
    const id = await createIn(from);
    const res = await transition(id, { to: 'rejected', note: 'Duplicate report from a scanner' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('rejected');
  });

  it.each(['new', 'triaged', 'in_progress'])('%s → duplicate links the original', async (from) => {
    const original = await create();
    const id = await createIn(from);
    const res = await transition(id, { to: 'duplicate', duplicateOf: original });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'duplicate', duplicateOf: original });
    const [row] = (await env.db.query('SELECT duplicate_of FROM incidents WHERE id = $1', [id]))
      .rows;
    expect(row.duplicate_of).toBe(original);
  });

  const illegal: [string, string][] = [
    ['new', 'new'],
    ['new', 'in_progress'],
    ['new', 'resolved'],
    ['new', 'closed'],
    ['triaged', 'new'],
    ['triaged', 'triaged'],
    ['triaged', 'resolved'],
    ['in_progress', 'triaged'],
    ['in_progress', 'closed'],
    ['resolved', 'rejected'],
    ['resolved', 'duplicate'],
    ['resolved', 'triaged'],
    ['closed', 'in_progress'],
    ['closed', 'rejected'],
    ['rejected', 'new'],
    ['rejected', 'triaged'],
    ['duplicate', 'in_progress'],
    ['duplicate', 'new'],
  ];

  it.each(illegal)('%s → %s is 409 naming both statuses and changes nothing', async (from, to) => {
    const id = await createIn(from);
    const before = (await env.db.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
    const eventsBefore = await timelineTypes(id);
    const res = await transition(id, {
      to,
      ...needs[to],
      ...(to === 'duplicate' ? { duplicateOf: await create() } : {}),
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, currentStatus: from, requestedStatus: to });
    expect(res.body.detail).toContain(from);
    expect(res.body.detail).toContain(to);
    const after = (await env.db.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
    expect(after).toEqual(before);
    expect(await timelineTypes(id)).toEqual(eventsBefore);
  });

  describe('400 for what a target requires', () => {
    let id: string;
    beforeAll(async () => {
      id = await createIn('in_progress');
    });

    const errorFields = (res: { body: { errors?: { field: string }[] } }) =>
      (res.body.errors ?? []).map((e) => e.field);

    it('rejected needs a note', async () => {
      for (const body of [{ to: 'rejected' }, { to: 'rejected', note: '  ' }]) {
        const res = await transition(id, body);
        expect(res.status).toBe(400);
        expect(errorFields(res)).toEqual(['note']);
      }
    });

    it('resolved needs resolution.summary', async () => {
      for (const body of [
        { to: 'resolved' },
        { to: 'resolved', resolution: {} },
        { to: 'resolved', resolution: { lessonsLearned: 'x' } },
      ]) {
        const res = await transition(id, body);
        expect(res.status).toBe(400);
        expect(errorFields(res)).toEqual(['resolution.summary']);
      }
    });

    it('duplicate needs duplicateOf of another existing incident that is no duplicate', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ to: 'duplicate' }, 'is required'],
        [{ to: 'duplicate', duplicateOf: id }, 'another incident'],
        [{ to: 'duplicate', duplicateOf: MISSING }, 'no such incident'],
        [{ to: 'duplicate', duplicateOf: 'not-a-uuid' }, 'UUID'],
        [{ to: 'duplicate', duplicateOf: await createIn('duplicate') }, 'itself a duplicate'],
      ];
      for (const [body, message] of cases) {
        const res = await transition(id, body);
        expect(res.status).toBe(400);
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0].field).toBe('duplicateOf');
        expect(res.body.errors[0].message).toContain(message);
      }
    });

    it('refuses unknown targets, unknown fields and fields of another target', async () => {
      for (const body of [
        { to: 'open' },
        {},
        { to: 'resolved', resolution: { summary: 'x' }, extra: 1 },
        { to: 'rejected', note: 'x', duplicateOf: MISSING },
        { to: 'rejected', note: 'x'.repeat(2_001) },
      ]) {
        expect((await transition(id, body)).status).toBe(400);
      }
    });

    it('left the incident untouched', async () => {
      const res = await coordinator.get(`/api/v1/incidents/${id}`);
      expect(res.body.status).toBe('in_progress');
      expect((await timelineTypes(id)).filter((t) => t === 'transitioned')).toHaveLength(2);
    });
  });

  it('is for coordinators only; unknown incidents are 404', async () => {
    const id = await create();
    expect(
      (await analystBY.post(`/api/v1/incidents/${id}/transitions`, { to: 'triaged' })).status,
    ).toBe(403);
    expect(
      (await admin.post(`/api/v1/incidents/${id}/transitions`, { to: 'triaged' })).status,
    ).toBe(403);
    expect((await transition(MISSING, { to: 'triaged' })).status).toBe(404);
    expect((await transition('nope', { to: 'triaged' })).status).toBe(404);
  });

  it('lets exactly one of 10 concurrent transitions of one incident succeed', async () => {
    const id = await create();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => transition(id, { to: 'triaged' })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    for (const res of results.filter((r) => r.status === 409)) {
      expect(res.body).toMatchObject({ currentStatus: 'triaged', requestedStatus: 'triaged' });
    }
    expect((await timelineTypes(id)).filter((t) => t === 'transitioned')).toHaveLength(1);
    const [row] = (await env.db.query('SELECT status FROM incidents WHERE id = $1', [id])).rows;
    expect(row.status).toBe('triaged');
    const audit = await admin.get(`/api/v1/audit?action=incident.transitioned&targetId=${id}`);
    expect(audit.body.items).toHaveLength(1);
  });

  it('lets one of two different concurrent transitions win, never both', async () => {
    for (let round = 0; round < 5; round++) {
      const [id, original] = [await create(), await create()];
      const [a, b] = await Promise.all([
        transition(id, { to: 'rejected', note: 'spam' }),
        transition(id, { to: 'duplicate', duplicateOf: original }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? 'rejected' : 'duplicate';
      const stored = (await coordinator.get(`/api/v1/incidents/${id}`)).body;
      expect(stored.status).toBe(winner);
      expect(stored.duplicateOf === null).toBe(winner === 'rejected');
    }
  });

  it('never lets two incidents become duplicates of each other', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await create(), await create()];
      const results = await Promise.all([
        transition(a, { to: 'duplicate', duplicateOf: b }),
        transition(b, { to: 'duplicate', duplicateOf: a }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      const loser = results.find((r) => r.status === 400)!;
      expect(loser.body.errors[0]).toMatchObject({ field: 'duplicateOf' });
      expect(loser.body.errors[0].message).toContain('itself a duplicate');
    }
  });

  it('writes incident.updated for the reporting and each dispatched state, trimmed per party', async () => {
    const id = await create();
    expect((await transition(id, { to: 'triaged' })).status).toBe(200);
    const rows = (
      await env.db.query(
        "SELECT party, payload FROM outbox WHERE incident_id = $1 AND type = 'incident.updated' ORDER BY party",
        [id],
      )
    ).rows;
    expect(rows.map((r) => r.party)).toEqual(['BY', 'KZ']);
    for (const { party, payload } of rows) {
      expect(payload).toMatchObject({
        type: 'incident.updated',
        data: {
          incident: { id, status: 'triaged', reportingState: 'BY' },
          transition: { from: 'new', to: 'triaged' },
        },
      });
      expect(typeof payload.id).toBe('string');
      // TLP:RED kept RU as a suggestion: only the reporting state reads it.
      expect(payload.data.incident.routing.suggested).toEqual(party === 'BY' ? ['RU'] : []);
    }
  });

  it('records incident.transitioned in the audit log', async () => {
    const id = await createIn('in_progress');
    await transition(id, { to: 'rejected', note: 'Out of scope' });
    const res = await admin.get(`/api/v1/audit?action=incident.transitioned&targetId=${id}`);
    expect(res.status).toBe(200);
    const changes = res.body.items.map((e: { change: { from: string; to: string } }) => e.change);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'in_progress', to: 'rejected', note: 'Out of scope' }),
      ]),
    );
    expect(res.body.items.every((e: { actor: string }) => e.actor.startsWith('coordinator:'))).toBe(
      true,
    );
  });

  it('the escalation engine skips a resolved incident and escalates it again once reopened', async () => {
    const id = await createIn('resolved');
    const dispatch = async () =>
      (
        await env.db.query(
          'SELECT escalation_level, ack_deadline FROM dispatches WHERE incident_id = $1',
          [id],
        )
      ).rows[0];
    // As if a deadline had been due when the incident was resolved.
    const overdue = () =>
      env.db.query(
        "UPDATE dispatches SET ack_deadline = now() - interval '1 second' WHERE incident_id = $1",
        [id],
      );
    await overdue();
    await eventually(async () => (await dispatch()).ack_deadline === null, 'the sweep to drop it');
    expect((await dispatch()).escalation_level).toBe(0);
    expect(await timelineTypes(id)).not.toContain('escalated');

    expect((await transition(id, { to: 'in_progress' })).status).toBe(200);
    await overdue();
    await eventually(async () => (await dispatch()).escalation_level === 1, 'an escalation');
    expect(await timelineTypes(id)).toContain('escalated');
  });

  it('stops escalation when resolved and resumes it on reopening', async () => {
    const id = await createIn('in_progress');
    const deadlines = async () =>
      (
        await env.db.query(
          'SELECT state, ack_deadline FROM dispatches WHERE incident_id = $1 ORDER BY state',
          [id],
        )
      ).rows;
    expect((await deadlines()).map((d) => d.ack_deadline)).not.toContain(null);
    await transition(id, { to: 'resolved', ...needs.resolved });
    expect((await deadlines()).map((d) => d.ack_deadline)).toEqual([null]);
    const reopenedAt = Date.now();
    await transition(id, { to: 'in_progress' });
    const [kz] = await deadlines();
    // high = 3600 s by default: one fresh period from the reopening.
    expect(kz.ack_deadline.getTime()).toBeGreaterThan(reopenedAt + 3_000_000);
    await transition(id, { to: 'rejected', note: 'Turned out to be a drill' });
    expect((await deadlines()).map((d) => d.ack_deadline)).toEqual([null]);
  });
});
