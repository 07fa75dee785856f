import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';
import { waitFor } from './support/wait-for.js';

/**
 * The v2 filters and orders of `GET /api/v1/incidents`: comma-separated values (any of
 * them), sector, awaitingAck, overdue, updatedSince, sort -updatedAt and deadlineAt; each
 * under the one visibility rule, so no filter ever reaches an incident the caller may not
 * see. Critical incidents escalate after 1 s, once (the last level): then they are overdue
 * and have no deadline any more.
 */
const SLA = { critical: 1, high: 3_600, medium: 7_200, low: 86_400 };

interface Item {
  id: string;
  updatedAt: string;
  dispatches: { state: string; deadlineAt: string | null; notifiedAt: string | null }[];
}

describe('Incident list filters and orders', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let by: Api;
  let kz: Api;
  let tj: Api;
  /** a: BY→KZ AMBER critical; b: BY→RU RED high; c: KZ→BY GREEN low; d: AM→KZ,RU AMBER
   *  medium (KZ acknowledged); e: TJ GREEN, no dispatch; f: BY→KZ AMBER low. */
  const id: Record<string, string> = {};
  const names = new Map<string, string>();

  const file = async (api: Api, key: string, body: Record<string, unknown>) => {
    const res = await api.post('/api/v1/incidents', {
      title: `Filter ${key}`,
      category: 'fraud/phishing',
      severity: 'medium',
      tlp: 'TLP:AMBER',
      sector: 'finance',
      ...body,
    });
    expect(res.status).toBe(201);
    id[key] = res.body.id;
    names.set(res.body.id, key);
    return res.body;
  };

  /** The incidents of this file a list answers, by their letters, in the list's order. */
  const list = async (api: Api, query: string): Promise<string[]> => {
    const res = await api.get(`/api/v1/incidents?limit=200&${query}`);
    expect({ query, status: res.status, body: res.status === 200 ? null : res.body }).toEqual({
      query,
      status: 200,
      body: null,
    });
    return (res.body.items as Item[]).map((i) => names.get(i.id) ?? '?');
  };
  const set = async (api: Api, query: string) => (await list(api, query)).sort();

  beforeAll(async () => {
    env = await createTestEnv('filters');
    service = await startService(env, {
      env: {
        CCC_SLA_ACK_SECONDS: Object.entries(SLA)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        CCC_ESCALATION_MAX_LEVEL: '1',
      },
    });
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    by = admin.as(await admin.createKey('analyst', 'BY'));
    kz = admin.as(await admin.createKey('analyst', 'KZ'));
    tj = admin.as(await admin.createKey('analyst', 'TJ'));
    await file(by, 'a', { severity: 'critical', affectedStates: ['KZ'] });
    await file(by, 'b', {
      severity: 'high',
      tlp: 'TLP:RED',
      affectedStates: ['RU'],
      sector: 'energy',
      category: 'malicious-code/c2-server',
    });
    await file(kz, 'c', {
      severity: 'low',
      tlp: 'TLP:GREEN',
      affectedStates: ['BY'],
      sector: 'telecom',
      category: 'information-gathering/scanner',
    });
    await file(coordinator, 'd', {
      reportingState: 'AM',
      affectedStates: ['KZ', 'RU'],
      sector: 'health',
    });
    await file(tj, 'e', { severity: 'low', tlp: 'TLP:GREEN', sector: 'education' });
    await file(by, 'f', { severity: 'low', affectedStates: ['KZ'] });
    expect((await kz.post(`/api/v1/incidents/${id.d}/acknowledgements`)).status).toBe(200);
    const triaged = await coordinator.post(`/api/v1/incidents/${id.c}/transitions`, {
      to: 'triaged',
    });
    expect(triaged.status).toBe(200);
    // a escalates (1 s, last level): overdue from then on, with no next deadline.
    await waitFor(async () => (await set(coordinator, 'overdue=true')).includes('a'), {
      what: 'a escalated',
    });
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('takes several comma-separated values of each filter, any of them matching', async () => {
    expect(await set(coordinator, 'status=new,triaged')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await set(coordinator, 'status=triaged')).toEqual(['c']);
    expect(await set(coordinator, 'severity=critical,high')).toEqual(['a', 'b']);
    expect(await set(coordinator, 'tlp=TLP:GREEN,TLP:RED')).toEqual(['b', 'c', 'e']);
    expect(await set(coordinator, 'sector=energy,health')).toEqual(['b', 'd']);
    expect(await set(coordinator, 'sector=telecom')).toEqual(['c']);
    expect(
      await set(coordinator, 'category=malicious-code/c2-server,information-gathering/scanner'),
    ).toEqual(['b', 'c']);
    expect(await set(coordinator, 'reportingState=KZ,TJ')).toEqual(['c', 'e']);
    expect(await set(coordinator, 'dispatchedTo=RU,BY')).toEqual(['b', 'c', 'd']);
    // Filters combine with AND.
    expect(await set(coordinator, 'dispatchedTo=KZ&severity=low,medium')).toEqual(['d', 'f']);
    // The parameter repeated is the same as its values comma-separated.
    expect(await set(coordinator, 'severity=critical&severity=high')).toEqual(['a', 'b']);
  });

  it('finds what awaits an acknowledgement, for an analyst its own state only', async () => {
    expect(await set(coordinator, 'awaitingAck=true')).toEqual(['a', 'b', 'c', 'd', 'f']);
    expect(await set(coordinator, 'awaitingAck=false')).toEqual(['e']);
    // KZ acknowledged d; c was dispatched to BY, not to KZ.
    expect(await set(kz, 'awaitingAck=true')).toEqual(['a', 'f']);
    expect(await set(kz, 'awaitingAck=false')).toEqual(['c', 'd', 'e']);
    expect(await set(by, 'awaitingAck=true')).toEqual(['c']);
    expect(await set(tj, 'awaitingAck=true')).toEqual([]);
  });

  it('finds what is overdue: escalated, or past its deadline', async () => {
    expect(await set(coordinator, 'overdue=true')).toEqual(['a']);
    expect(await set(kz, 'overdue=true')).toEqual(['a']);
    expect(await set(by, 'overdue=true')).toEqual([]);
    expect(await set(coordinator, 'overdue=false')).toEqual(['b', 'c', 'd', 'e', 'f']);
  });

  it('shows each dispatch with notifiedAt and its next deadline', async () => {
    const res = await coordinator.get(`/api/v1/incidents/${id.d}`);
    const byState = Object.fromEntries(
      (res.body.dispatches as Item['dispatches']).map((d) => [d.state, d]),
    );
    expect(Object.keys(byState[`KZ`])).toEqual(
      expect.arrayContaining(['notifiedAt', 'deadlineAt', 'acknowledgedAt', 'escalationLevel']),
    );
    // Acknowledged: no deadline. Pending for an hour or two: one.
    expect(byState.KZ.deadlineAt).toBeNull();
    expect(Date.parse(byState.RU.deadlineAt!)).toBeGreaterThan(Date.parse(res.body.createdAt));
    // Escalated at the last level: no next deadline.
    const a = await coordinator.get(`/api/v1/incidents/${id.a}`);
    expect(a.body.dispatches[0]).toMatchObject({ escalationLevel: 1, deadlineAt: null });
    // The filing's answer carries the deadline the database set.
    const filed = await coordinator.post('/api/v1/incidents', {
      title: 'Filter deadline',
      category: 'fraud/phishing',
      severity: 'high',
      tlp: 'TLP:AMBER',
      sector: 'finance',
      reportingState: 'AM',
      affectedStates: ['KG'],
    });
    const read = await coordinator.get(`/api/v1/incidents/${filed.body.id}`);
    expect(filed.body.dispatches).toEqual(read.body.dispatches);
    expect(filed.body.dispatches[0].deadlineAt).toEqual(expect.any(String));
    await coordinator.post(`/api/v1/incidents/${filed.body.id}/transitions`, {
      to: 'rejected',
      note: 'test filing',
    });
  });

  it('orders by the earliest pending deadline, for an analyst its own, then oldest first', async () => {
    // Centre: b (1 h), d (RU, 2 h), c (1 d), f (1 d, later); then a and e, no deadline.
    const centre = (await list(coordinator, 'sort=deadlineAt')).filter((k) => k !== '?');
    expect(centre).toEqual(['b', 'd', 'c', 'f', 'a', 'e']);
    // KZ waits only on f; a escalated to the end, d acknowledged, c and e not dispatched to KZ.
    expect(await list(kz, 'sort=deadlineAt')).toEqual(['f', 'a', 'c', 'd', 'e']);
    expect(await list(kz, 'sort=deadlineAt&awaitingAck=true')).toEqual(['f', 'a']);
  });

  it('orders by last update and finds what changed since an instant', async () => {
    const patched = await coordinator.patch(`/api/v1/incidents/${id.b}`, { sector: 'water' });
    expect(patched.status).toBe(200);
    expect((await list(coordinator, 'sort=-updatedAt'))[0]).toBe('b');
    const since = encodeURIComponent(patched.body.updatedAt);
    expect(await set(coordinator, `updatedSince=${since}`)).toEqual(['b']);
    // A date alone, or an offset, is an instant too.
    expect(await set(coordinator, 'updatedSince=2000-01-01')).toHaveLength(7);
    expect(
      await set(coordinator, `updatedSince=${encodeURIComponent('2000-01-01T03:00+03:00')}`),
    ).toHaveLength(7);
    const items = (await coordinator.get('/api/v1/incidents?sort=-updatedAt&limit=200')).body
      .items as Item[];
    const times = items.map((i) => Date.parse(i.updatedAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });

  it('never shows an analyst an incident it may not see, whatever the filter', async () => {
    // TJ sees c and e (GREEN) and its own; b is RED, BY→RU; a, d, f are AMBER elsewhere.
    const queries = [
      '',
      'tlp=TLP:RED,TLP:AMBER,TLP:GREEN',
      'dispatchedTo=RU,KZ,BY',
      'reportingState=BY,AM,KZ,TJ',
      'severity=critical,high,medium,low',
      'category=malicious-code/c2-server,fraud/phishing',
      'sector=energy,water,health,finance',
      'awaitingAck=true',
      'awaitingAck=false',
      'overdue=true',
      'overdue=false',
      'updatedSince=2000-01-01',
      'status=new,triaged',
      'sort=deadlineAt',
      'sort=-updatedAt',
      'sort=priority',
      'q=Filter',
      'assignee=none',
    ];
    for (const query of queries) {
      const seen = (await list(tj, query)).filter((k) => k !== '?');
      expect({ query, seen: seen.filter((k) => !['c', 'e'].includes(k)) }).toEqual({
        query,
        seen: [],
      });
    }
    expect(await set(tj, '')).toEqual(['c', 'e']);
    // KZ: a, d, f by dispatch, c and e GREEN; never b.
    for (const query of queries) {
      const seen = await list(kz, query);
      expect({ query, b: seen.includes('b') }).toEqual({ query, b: false });
    }
  });

  it('refuses values it does not know, naming the parameter', async () => {
    const bad: [string, string][] = [
      ['status=new,bogus', 'status'],
      ['status=', 'status'],
      ['severity=high,', 'severity'],
      ['tlp=TLP:WHITE', 'tlp'],
      ['sector=space', 'sector'],
      ['category=fraud', 'category'],
      ['reportingState=US', 'reportingState'],
      ['dispatchedTo=BY,XX', 'dispatchedTo'],
      ['awaitingAck=yes', 'awaitingAck'],
      ['overdue=1', 'overdue'],
      ['updatedSince=yesterday', 'updatedSince'],
      ['updatedSince=2026-02-30T00:00:00Z', 'updatedSince'],
      ['updatedSince=2026-03-01T10:00:00', 'updatedSince'],
      ['updatedSince=0000-01-01', 'updatedSince'],
      ['sort=updatedAt', 'sort'],
      ['sort=-deadlineAt', 'sort'],
    ];
    for (const [query, field] of bad) {
      const res = await coordinator.get(`/api/v1/incidents?${query}`);
      const fields = [...new Set((res.body?.errors ?? []).map((e: { field: string }) => e.field))];
      expect({ query, status: res.status, fields }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
