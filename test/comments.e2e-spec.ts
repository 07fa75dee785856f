import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { eventually, setContacts, WebhookReceiver } from './support/webhook-receiver.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

const incidentBody = (patch: Record<string, unknown> = {}) => ({
  title: 'Defacement of a municipal site',
  category: 'intrusions/application-compromise',
  severity: 'medium',
  tlp: 'TLP:AMBER',
  sector: 'government',
  affectedStates: ['KZ'],
  ...patch,
});

interface Item {
  id: string;
  type: string;
  actor: string;
  at: string;
  data: Record<string, any>;
}

describe('Comments, timeline and related incidents', () => {
  let env: TestEnv;
  let service: Service;
  let receiver: WebhookReceiver;
  let admin: Api;
  let coordinator: Api;
  const analyst: Record<string, Api> = {};

  async function file(api: Api, patch: Record<string, unknown> = {}): Promise<string> {
    const res = await api.post('/api/v1/incidents', incidentBody(patch));
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** Every page of a timeline, checking each page on the way. */
  async function timeline(api: Api, id: string, limit = 200): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(
        `/api/v1/incidents/${id}/timeline?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  async function related(api: Api, id: string, limit = 200) {
    const items: { incident: { id: string }; shared: { type: string; value: string }[] }[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(
        `/api/v1/incidents/${id}/related?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  beforeAll(async () => {
    env = await createTestEnv('comments');
    receiver = await WebhookReceiver.start();
    // A critical incident escalates after 2 s, so the timeline shows a real escalation.
    service = await startService(env, {
      env: { CCC_SLA_ACK_SECONDS: 'critical=2,high=3600,medium=14400,low=86400' },
    });
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    // An assignee is a coordinator's username (v2).
    await admin.post('/api/v1/users', { username: 'ivan', role: 'coordinator' });
    for (const state of ['BY', 'KZ', 'RU', 'TJ']) {
      analyst[state] = admin.as(await admin.createKey('analyst', state));
    }
    const hook = receiver.endpoint();
    await setContacts(admin, 'KZ', [{ type: 'webhook', url: hook.url, secret: hook.secret }]);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
    await env?.cleanup();
  });

  it('lists every kind of event, oldest first, with actor and time, across pages', async () => {
    const id = await file(analyst.BY, { severity: 'critical', affectedStates: ['KZ', 'RU'] });
    // Wait until both dispatches have escalated to the maximum level (3 by default, 2 s
    // apart), so no further event lands while the timeline is compared below.
    await eventually(
      async () => {
        const { rows } = await env.db.query(
          'SELECT escalation_level, ack_deadline, status FROM dispatches WHERE incident_id = $1',
          [id],
        );
        const done = rows.every((d) => d.escalation_level === 3 && d.ack_deadline === null);
        return done && rows.some((d) => d.status === 'notified');
      },
      'escalations to the maximum level and a notification',
      20_000,
    );
    expect((await analyst.KZ.post(`/api/v1/incidents/${id}/acknowledgements`)).status).toBe(200);
    expect(
      (await coordinator.patch(`/api/v1/incidents/${id}`, { sector: 'energy', assignee: 'ivan' }))
        .status,
    ).toBe(200);
    const comment = await analyst.BY.post(`/api/v1/incidents/${id}/comments`, {
      body: 'Second site hit the same way',
    });
    expect(comment.status).toBe(201);
    const moved = await coordinator.post(`/api/v1/incidents/${id}/transitions`, {
      to: 'triaged',
      note: 'Confirmed',
    });
    expect(moved.status).toBe(200);

    const all = await timeline(coordinator, id);
    const types = all.map((e) => e.type);
    for (const type of [
      'created',
      'routed',
      'notified',
      'acknowledged',
      'escalated',
      'transitioned',
      'commented',
      'assigned',
      'reclassified',
    ]) {
      expect(types).toContain(type);
    }
    expect(types.slice(0, 2)).toEqual(['created', 'routed']);
    expect(types[types.length - 1]).toBe('transitioned');
    const times = all.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const e of all) {
      expect(Object.keys(e).sort()).toEqual(['actor', 'at', 'data', 'id', 'type']);
      expect(e.at).toMatch(/Z$/);
    }
    expect(all.find((e) => e.type === 'created')!.actor).toMatch(/^analyst:BY:/);
    expect(all.find((e) => e.type === 'escalated')!.actor).toBe('system');
    expect(all.find((e) => e.type === 'commented')!.data).toEqual({
      commentId: comment.body.id,
      body: 'Second site hit the same way',
    });
    expect(all.find((e) => e.type === 'transitioned')!.data).toEqual({
      from: 'new',
      to: 'triaged',
      note: 'Confirmed',
    });

    // Small pages return the same events, each once, in the same order.
    expect((await timeline(coordinator, id, 2)).map((e) => e.id)).toEqual(all.map((e) => e.id));

    // Analysts see every event but not delivery internals.
    const notifiedFull = all.find((e) => e.type === 'notified')!;
    expect(notifiedFull.data).toMatchObject({ state: 'KZ', channel: 'webhook' });
    expect(typeof notifiedFull.data.deliveryId).toBe('string');
    for (const state of ['BY', 'KZ']) {
      const seen = await timeline(analyst[state], id);
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      expect(seen.find((e) => e.type === 'notified')!.data).toEqual({ state: 'KZ' });
    }
  }, 60_000);

  it('rejects a forged timeline cursor', async () => {
    const id = await file(analyst.BY);
    const bad = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    const res = await coordinator.get(`/api/v1/incidents/${id}/timeline?cursor=${bad}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('cursor');
  });

  it('withholds TLP-restricted suggestions in routed data from non-reporting states', async () => {
    const id = await file(analyst.BY);
    // Intake records no suggestions in the timeline today; a routed event carrying them
    // (as a future router might write) must still be trimmed for other states.
    await env.db.query(
      `INSERT INTO timeline_events (incident_id, type, actor, data)
       VALUES ($1, 'routed', 'system', '{"dispatchedTo": ["KZ"], "suggested": ["RU"]}')`,
      [id],
    );
    const last = (items: Item[]) => items.filter((e) => e.type === 'routed').pop()!.data;
    expect(last(await timeline(coordinator, id))).toEqual({
      dispatchedTo: ['KZ'],
      suggested: ['RU'],
    });
    expect(last(await timeline(analyst.BY, id))).toEqual({
      dispatchedTo: ['KZ'],
      suggested: ['RU'],
    });
    expect(last(await timeline(analyst.KZ, id))).toEqual({ dispatchedTo: ['KZ'] });
  });

  it('adds comments from anyone who sees the incident', async () => {
    const id = await file(analyst.BY);
    const mine = await analyst.BY.post(`/api/v1/incidents/${id}/comments`, { body: 'From BY' });
    expect(mine.status).toBe(201);
    expect(mine.body).toEqual({
      id: expect.any(String),
      incidentId: id,
      author: expect.stringMatching(/^analyst:BY:/),
      authorState: 'BY',
      body: 'From BY',
      createdAt: expect.any(String),
    });
    const dispatched = await analyst.KZ.post(`/api/v1/incidents/${id}/comments`, {
      body: 'Seen here too',
    });
    expect(dispatched.status).toBe(201);
    expect(dispatched.body.authorState).toBe('KZ');
    const ccc = await coordinator.post(`/api/v1/incidents/${id}/comments`, { body: 'Noted' });
    expect(ccc.status).toBe(201);
    expect(ccc.body.authorState).toBeNull();
    expect(ccc.body.author).toMatch(/^coordinator:CCC:/);

    const longest = 'é'.repeat(10_000);
    expect(
      (await coordinator.post(`/api/v1/incidents/${id}/comments`, { body: longest })).status,
    ).toBe(201);

    const stored = await env.db.query(
      `SELECT data->>'body' AS body FROM timeline_events
        WHERE incident_id = $1 AND type = 'commented' ORDER BY at`,
      [id],
    );
    expect(stored.rows.map((r) => r.body)).toEqual(['From BY', 'Seen here too', 'Noted', longest]);
    const audit = await admin.get(`/api/v1/audit?action=incident.commented&targetId=${id}`);
    expect(audit.body.items).toHaveLength(4);
    expect(audit.body.items.map((e: { change: { body: string } }) => e.change.body)).toContain(
      'Seen here too',
    );
  });

  it('rejects empty, oversized and malformed comments', async () => {
    const id = await file(analyst.BY);
    for (const body of [
      {},
      { body: '' },
      { body: '  \n ' },
      { body: 'x'.repeat(10_001) },
      { body: 42 },
      { body: 'ok', author: 'someone else' },
    ]) {
      const res = await coordinator.post(`/api/v1/incidents/${id}/comments`, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const count = await env.db.query(
      `SELECT count(*)::int AS n FROM timeline_events WHERE incident_id = $1 AND type = 'commented'`,
      [id],
    );
    expect(count.rows[0].n).toBe(0);
  });

  it('answers 404 to a state that cannot see the incident', async () => {
    const amber = await file(analyst.BY, { observables: [{ type: 'ipv4', value: '203.0.113.9' }] });
    const paths = [
      ['POST', `/api/v1/incidents/${amber}/comments`],
      ['GET', `/api/v1/incidents/${amber}/timeline`],
      ['GET', `/api/v1/incidents/${amber}/related`],
      ['GET', `/api/v1/incidents/${amber}`],
    ];
    for (const [method, path] of paths) {
      const res = await analyst.TJ.request(
        method,
        path,
        method === 'POST' ? { body: 'hi' } : undefined,
      );
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(amber);
      // The same answer as for an incident that does not exist at all.
      const absent = await analyst.TJ.request(
        method,
        path.replace(amber, MISSING),
        method === 'POST' ? { body: 'hi' } : undefined,
      );
      expect(absent.status).toBe(404);
      expect(absent.body.type).toBe(res.body.type);
    }
    const none = await env.db.query(
      `SELECT count(*)::int AS n FROM timeline_events WHERE incident_id = $1 AND type = 'commented'`,
      [amber],
    );
    expect(none.rows[0].n).toBe(0);

    // A community incident is visible to every state, and so are its comments and timeline.
    const green = await file(analyst.BY, { tlp: 'TLP:GREEN' });
    expect(
      (await analyst.TJ.post(`/api/v1/incidents/${green}/comments`, { body: 'hi' })).status,
    ).toBe(201);
    expect((await timeline(analyst.TJ, green)).map((e) => e.type)).toContain('commented');
  });

  describe('related incidents', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // A: BY's incident with an IP and a domain. B shares the IP (KZ reports, BY affected),
      // C shares the domain under TLP:RED between RU and KG, D shares both and is GREEN,
      // E and F share nothing (F has the same text as another type).
      ids.A = await file(analyst.BY, {
        observables: [
          { type: 'ipv4', value: '198.51.100.23' },
          { type: 'domain', value: 'Login.Bank-Secure.example.' },
          { type: 'sha256', value: 'A'.repeat(64) },
        ],
      });
      ids.B = await file(analyst.KZ, {
        affectedStates: ['BY'],
        observables: [{ type: 'ipv4', value: '198.51.100.23' }],
      });
      ids.C = await file(analyst.RU, {
        tlp: 'TLP:RED',
        affectedStates: ['KG'],
        observables: [{ type: 'domain', value: 'login.bank-secure.example' }],
      });
      ids.D = await file(analyst.RU, {
        tlp: 'TLP:GREEN',
        affectedStates: [],
        observables: [
          { type: 'domain', value: 'login.bank-secure.example' },
          { type: 'ipv4', value: '198.51.100.23' },
        ],
      });
      ids.E = await file(analyst.BY, { observables: [{ type: 'ipv4', value: '198.51.100.24' }] });
      // Same value, other type: not shared.
      ids.F = await file(analyst.BY, {
        observables: [{ type: 'domain', value: '198.51.100.23.example' }],
      });
    }, 30_000);

    const view = (items: Awaited<ReturnType<typeof related>>) =>
      Object.fromEntries(items.map((r) => [r.incident.id, r.shared]));

    it('lists every other incident sharing a normalised observable, with the shared values', async () => {
      const items = await related(coordinator, ids.A);
      expect(view(items)).toEqual({
        [ids.B]: [{ type: 'ipv4', value: '198.51.100.23' }],
        [ids.C]: [{ type: 'domain', value: 'login.bank-secure.example' }],
        [ids.D]: [
          { type: 'domain', value: 'login.bank-secure.example' },
          { type: 'ipv4', value: '198.51.100.23' },
        ],
      });
      expect(items.map((r) => r.incident.id)).toEqual([ids.B, ids.C, ids.D].sort());
      const b = items.find((r) => r.incident.id === ids.B)!;
      expect(b.incident).toMatchObject({ id: ids.B, reportingState: 'KZ', status: 'new' });
    });

    it('pages one incident at a time without losing or repeating any', async () => {
      const items = await related(coordinator, ids.A, 1);
      expect(items.map((r) => r.incident.id)).toEqual([ids.B, ids.C, ids.D].sort());
      expect(view(items)[ids.D]).toHaveLength(2);
    });

    it('never lists an incident the caller cannot see', async () => {
      // BY sees B (affected) and D (GREEN), never C (TLP:RED between RU and KG).
      expect(Object.keys(view(await related(analyst.BY, ids.A))).sort()).toEqual(
        [ids.B, ids.D].sort(),
      );
      // RU sees C and D (its own) from D's side, and A only if it may: it may not.
      const fromD = view(await related(analyst.RU, ids.D));
      expect(Object.keys(fromD).sort()).toEqual([ids.C].sort());
      expect(Object.keys(view(await related(coordinator, ids.D))).sort()).toEqual(
        [ids.A, ids.B, ids.C].sort(),
      );
      // TJ sees D (GREEN) but nothing related to it.
      expect(await related(analyst.TJ, ids.D)).toEqual([]);
      expect((await analyst.TJ.get(`/api/v1/incidents/${ids.A}/related`)).status).toBe(404);
    });

    it('is empty for an incident without observables or matches', async () => {
      expect(await related(coordinator, ids.E)).toEqual([]);
      expect(await related(coordinator, ids.F)).toEqual([]);
      const bare = await file(analyst.BY, { observables: [] });
      expect(await related(coordinator, bare)).toEqual([]);
    });

    it('rejects a forged cursor and out-of-range limits', async () => {
      const bad = Buffer.from(JSON.stringify(["x' OR 1=1"])).toString('base64url');
      expect(
        (await coordinator.get(`/api/v1/incidents/${ids.A}/related?cursor=${bad}`)).status,
      ).toBe(400);
      expect((await coordinator.get(`/api/v1/incidents/${ids.A}/related?limit=201`)).status).toBe(
        400,
      );
    });
  });
});
