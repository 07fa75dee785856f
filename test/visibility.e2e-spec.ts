import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'];
const TLPS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'];
const COMMUNITY = new Set(['TLP:GREEN', 'TLP:CLEAR']);
const RESTRICTED = new Set(['TLP:RED', 'TLP:AMBER+STRICT']);

/**
 * BY reports one incident per TLP with KZ affected and an observable in RU's constituency
 * (evil.ru). RU is dispatched for AMBER/GREEN/CLEAR and only suggested for RED and
 * AMBER+STRICT. Every read route is checked for every state and every TLP.
 */
describe('Visibility matrix', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  const analysts: Record<string, Api> = {};
  const incidents: { tlp: string; id: string; token: string; dispatched: string[] }[] = [];
  /** A TLP:CLEAR incident everyone sees, sharing the observable with all of the above. */
  let anchorId: string;

  const visible = (state: string, tlp: string, dispatched: string[]) =>
    state === 'BY' || dispatched.includes(state) || COMMUNITY.has(tlp);

  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);

  beforeAll(async () => {
    env = await createTestEnv('visibility');
    service = await startService(env);
    admin = new Api(service.url);
    for (const state of STATES) analysts[state] = admin.as(await admin.createKey('analyst', state));
    for (const [n, tlp] of TLPS.entries()) {
      const token = `matrixtoken${n}`;
      const res = await analysts.BY.post('/api/v1/incidents', {
        title: `Intrusion ${token}`,
        description: 'Web shell on a government portal',
        category: 'intrusions/application-compromise',
        severity: 'high',
        tlp,
        sector: 'government',
        affectedStates: ['KZ'],
        observables: [{ type: 'domain', value: 'cdn.evil.ru' }],
      });
      expect(res.status).toBe(201);
      const dispatched = RESTRICTED.has(tlp) ? ['KZ'] : ['KZ', 'RU'];
      expect(res.body.routing).toEqual({
        dispatchedTo: dispatched,
        suggested: RESTRICTED.has(tlp) ? ['RU'] : [],
      });
      incidents.push({ tlp, id: res.body.id, token, dispatched });
    }
    const coordinator = admin.as(await admin.createKey('coordinator'));
    const anchor = await coordinator.post('/api/v1/incidents', {
      title: 'Same CDN seen elsewhere',
      category: 'intrusions/application-compromise',
      severity: 'low',
      tlp: 'TLP:CLEAR',
      sector: 'other',
      reportingState: 'TJ',
      observables: [{ type: 'domain', value: 'CDN.evil.ru' }],
    });
    expect(anchor.status).toBe(201);
    anchorId = anchor.body.id;
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  const cases = STATES.flatMap((state) => TLPS.map((tlp) => [state, tlp] as const));

  it.each(cases)('%s × %s: get, list, search, filters', async (state, tlp) => {
    const incident = incidents.find((i) => i.tlp === tlp)!;
    const api = analysts[state];
    const expected = visible(state, tlp, incident.dispatched);

    const one = await api.get(`/api/v1/incidents/${incident.id}`);
    expect(one.status).toBe(expected ? 200 : 404);
    if (!expected) {
      const absent = await api.get('/api/v1/incidents/00000000-0000-4000-8000-000000000000');
      expect(one.body).toEqual(absent.body);
    } else if (state !== 'BY') {
      expect(one.body.routing.suggested).toEqual([]);
    } else {
      expect(one.body.routing.suggested).toEqual(RESTRICTED.has(tlp) ? ['RU'] : []);
    }

    const queries = [
      '',
      `&q=${incident.token}`,
      `&tlp=${encodeURIComponent(tlp)}`,
      '&reportingState=BY',
      '&dispatchedTo=KZ',
      '&severity=high&category=intrusions/application-compromise&status=new',
      '&sort=priority',
      `&q=${incident.token}&tlp=${encodeURIComponent(tlp)}&dispatchedTo=KZ`,
    ];
    for (const query of queries) {
      const list = await api.get(`/api/v1/incidents?limit=200${query}`);
      expect(list.status).toBe(200);
      expect({ query, listed: ids(list).includes(incident.id) }).toEqual({
        query,
        listed: expected,
      });
      if (!expected) expect(list.text).not.toContain(incident.id);
      for (const item of list.body.items) {
        if (item.reportingState !== state) expect(item.routing.suggested).toEqual([]);
      }
    }
  });

  it.each(cases)('%s × %s: timeline, comments, related', async (state, tlp) => {
    const incident = incidents.find((i) => i.tlp === tlp)!;
    const api = analysts[state];
    const expected = visible(state, tlp, incident.dispatched);

    const timeline = await api.get(`/api/v1/incidents/${incident.id}/timeline`);
    expect(timeline.status).toBe(expected ? 200 : 404);
    const comment = await api.post(`/api/v1/incidents/${incident.id}/comments`, {
      body: `note from ${state}`,
    });
    expect(comment.status).toBe(expected ? 201 : 404);
    const related = await api.get(`/api/v1/incidents/${incident.id}/related?limit=200`);
    expect(related.status).toBe(expected ? 200 : 404);
    if (!expected) {
      for (const res of [timeline, comment, related]) expect(res.text).not.toContain(incident.id);
    }

    const fromAnchor = await api.get(`/api/v1/incidents/${anchorId}/related?limit=200`);
    expect(fromAnchor.status).toBe(200);
    const relatedIds = fromAnchor.body.items.map(
      (r: { incident: { id: string } }) => r.incident.id,
    );
    expect(relatedIds.includes(incident.id)).toBe(expected);
    if (!expected) expect(fromAnchor.text).not.toContain(incident.id);
  });

  it.each(cases)('%s × %s: acknowledgement', async (state, tlp) => {
    const incident = incidents.find((i) => i.tlp === tlp)!;
    const expected = !visible(state, tlp, incident.dispatched)
      ? 404
      : incident.dispatched.includes(state)
        ? 200
        : 403;
    const res = await analysts[state].post(`/api/v1/incidents/${incident.id}/acknowledgements`);
    expect(res.status).toBe(expected);
    if (expected === 404) expect(res.text).not.toContain(incident.id);
  });

  it('shows coordinators and admins every incident with its suggested states', async () => {
    const coordinator = admin.as(await admin.createKey('coordinator'));
    for (const api of [coordinator, admin]) {
      const list = await api.get('/api/v1/incidents?limit=200');
      for (const incident of incidents) {
        expect(ids(list)).toContain(incident.id);
        const one = await api.get(`/api/v1/incidents/${incident.id}`);
        expect(one.status).toBe(200);
        expect(one.body.routing.suggested).toEqual(RESTRICTED.has(incident.tlp) ? ['RU'] : []);
      }
    }
  });

  it('sends each party events without the suggestions withheld from it', async () => {
    const rows = await env.db.query(
      'SELECT party, incident_id, payload FROM outbox WHERE incident_id = ANY($1::uuid[])',
      [incidents.map((i) => i.id)],
    );
    for (const incident of incidents) {
      const routed = rows.rows.filter(
        (r) => r.incident_id === incident.id && r.payload.type === 'incident.routed',
      );
      expect(routed.map((r) => r.party).sort()).toEqual(incident.dispatched);
      for (const row of routed) {
        expect(row.payload.data.incident.routing.suggested).toEqual([]);
        expect(row.payload.data.incident.id).toBe(incident.id);
      }
      const updated = rows.rows.filter(
        (r) => r.incident_id === incident.id && r.payload.type === 'incident.updated',
      );
      expect(updated.length).toBeGreaterThan(0);
      for (const row of updated) {
        expect(row.payload.data.incident.routing.suggested).toEqual(
          row.party === 'BY' && RESTRICTED.has(incident.tlp) ? ['RU'] : [],
        );
      }
    }
  });
});
