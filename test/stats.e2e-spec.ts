import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const filing = (tlp: string, severity: string, affectedStates: string[]) => ({
  title: `Stats ${tlp}`,
  category: 'fraud/phishing',
  severity,
  tlp,
  sector: 'finance',
  affectedStates,
});

/** `GET /api/v1/stats`: counts of what the caller may see, computed in SQL. */
describe('Stats', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let by: Api;
  let kz: Api;
  let tj: Api;

  beforeAll(async () => {
    env = await createTestEnv('stats');
    service = await startService(env);
    admin = new Api(service.url);
    by = admin.as(await admin.createKey('analyst', 'BY'));
    kz = admin.as(await admin.createKey('analyst', 'KZ'));
    tj = admin.as(await admin.createKey('analyst', 'TJ'));
    for (const body of [
      filing('TLP:AMBER', 'high', ['KZ']),
      filing('TLP:AMBER', 'high', ['KZ']),
      filing('TLP:RED', 'critical', ['KZ', 'AM']),
      filing('TLP:GREEN', 'low', ['AM']),
    ]) {
      expect((await by.post('/api/v1/incidents', body)).status).toBe(201);
    }
    const amber = await by.get('/api/v1/incidents?tlp=TLP:AMBER&limit=1');
    expect(
      (await kz.post(`/api/v1/incidents/${amber.body.items[0].id}/acknowledgements`)).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('counts everything for the center', async () => {
    const res = await admin.get('/api/v1/stats');
    expect(res.status).toBe(200);
    expect(res.body.bySeverity).toEqual({ high: 2, critical: 1, low: 1 });
    expect(res.body.byStatus).toEqual({ new: 4 });
    expect(res.body.byReportingState).toEqual({ BY: 4 });
    expect(res.body.byCategory).toEqual({ 'fraud/phishing': 4 });
    expect(res.body.daily).toHaveLength(31);
    expect(res.body.daily.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBe(4);
    expect(res.body.daily.at(-1).date).toBe(new Date().toISOString().slice(0, 10));
    const kzRow = res.body.acknowledgements.find((a: { state: string }) => a.state === 'KZ');
    expect(kzRow).toMatchObject({ dispatched: 3, acknowledged: 1, pending: 2, escalated: 0 });
    expect(kzRow.medianSecondsToAck).toBeGreaterThanOrEqual(0);
    expect(res.body.acknowledgements.map((a: { state: string }) => a.state)).toEqual(['AM', 'KZ']);
  });

  it('counts only what an analyst may see', async () => {
    // TJ: the GREEN incident only. KZ: its three dispatches and the GREEN one.
    expect((await tj.get('/api/v1/stats')).body.bySeverity).toEqual({ low: 1 });
    expect((await kz.get('/api/v1/stats')).body.bySeverity).toEqual({
      high: 2,
      critical: 1,
      low: 1,
    });
    const tjAcks = (await tj.get('/api/v1/stats')).body.acknowledgements;
    expect(tjAcks).toEqual([expect.objectContaining({ state: 'AM', dispatched: 1 })]);
  });

  it('takes a period and refuses a bad one', async () => {
    const empty = await admin.get('/api/v1/stats?from=2025-01-01&to=2025-01-08');
    expect(empty.status).toBe(200);
    expect(empty.body.bySeverity).toEqual({});
    expect(empty.body.daily.map((d: { date: string }) => d.date)).toEqual([
      '2025-01-01',
      '2025-01-02',
      '2025-01-03',
      '2025-01-04',
      '2025-01-05',
      '2025-01-06',
      '2025-01-07',
    ]);
    const bad = await admin.get('/api/v1/stats?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('from');
    const reversed = await admin.get('/api/v1/stats?from=2025-02-01&to=2025-01-01');
    expect(reversed.status).toBe(400);
  });
});
