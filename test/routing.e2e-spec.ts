import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

type Obs = { type: string; value: string };

/** Routing through the real intake route: constituency matches, TLP rule, reporting state. */
describe('Routing through POST /api/v1/incidents', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let reporter: Api; // analyst of AM

  const file = async (tlp: string, observables: Obs[], affectedStates: string[] = []) => {
    const res = await reporter.post('/api/v1/incidents', {
      title: `routing ${tlp}`,
      category: 'fraud/phishing',
      severity: 'medium',
      tlp,
      sector: 'government',
      affectedStates,
      observables,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const matched = async (...observables: Obs[]) =>
    (await file('TLP:GREEN', observables)).routing.dispatchedTo as string[];
  const constituency = async (code: string, domains: string[], cidrs: string[], asns: number[]) => {
    const res = await admin.put(`/api/v1/member-states/${code}/constituency`, {
      domains,
      cidrs,
      asns,
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    env = await createTestEnv('routing');
    service = await startService(env);
    admin = new Api(service.url);
    reporter = admin.as(await admin.createKey('analyst', 'AM'));
    await constituency('BY', ['by', 'belarus-cert.example'], ['192.0.2.0/24'], [64500]);
    await constituency(
      'KZ',
      ['kz', 'shared-host.example'],
      ['198.51.100.0/25', '2001:db8:100::/48'],
      [64501],
    );
    await constituency('RU', ['ru', 'su', 'xn--p1ai'], ['198.51.100.0/24'], []);
    await constituency('KG', ['kg', 'mail.example.org'], [], []);
    await constituency('AM', ['am'], ['203.0.113.0/24'], [64502]);
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('matches domains by suffix on label boundaries', async () => {
    expect(await matched({ type: 'domain', value: 'a.b.gov.by' })).toEqual(['BY']);
    expect(await matched({ type: 'domain', value: 'x.mail.example.org' })).toEqual(['KG']);
    expect(await matched({ type: 'domain', value: 'mail.example.org' })).toEqual(['KG']);
    expect(await matched({ type: 'domain', value: 'notmail.example.org' })).toEqual([]);
    expect(await matched({ type: 'domain', value: 'example.org' })).toEqual([]);
    expect(await matched({ type: 'domain', value: 'пример.рф' })).toEqual(['RU']);
  });

  it('matches e-mail domains and URL hosts, IPv6 URL hosts included', async () => {
    expect(await matched({ type: 'email', value: 'soc@Shared-Host.example' })).toEqual(['KZ']);
    expect(
      await matched({ type: 'url', value: 'https://www.belarus-cert.example/login?x=1' }),
    ).toEqual(['BY']);
    expect(await matched({ type: 'url', value: 'http://[2001:db8:100::5]:8080/x' })).toEqual([
      'KZ',
    ]);
    expect(await matched({ type: 'url', value: 'http://192.0.2.77/x' })).toEqual(['BY']);
  });

  it('matches IPv4 and IPv6 addresses by prefix containment, nested ranges included', async () => {
    expect(await matched({ type: 'ipv4', value: '198.51.100.10' })).toEqual(['KZ', 'RU']);
    expect(await matched({ type: 'ipv4', value: '198.51.100.200' })).toEqual(['RU']);
    expect(await matched({ type: 'ipv4', value: '198.51.101.1' })).toEqual([]);
    expect(await matched({ type: 'ipv6', value: '2001:db8:100:ffff::1' })).toEqual(['KZ']);
    expect(await matched({ type: 'ipv6', value: '2001:db8:101::1' })).toEqual([]);
  });

  it('matches ASNs however they are written', async () => {
    expect(await matched({ type: 'asn', value: 'AS64500' })).toEqual(['BY']);
    expect(await matched({ type: 'asn', value: '64501' })).toEqual(['KZ']);
    expect(await matched({ type: 'asn', value: '64599' })).toEqual([]);
  });

  it('never routes to the reporting state', async () => {
    const body = await file(
      'TLP:GREEN',
      [
        { type: 'domain', value: 'x.am' },
        { type: 'ipv4', value: '203.0.113.9' },
        { type: 'asn', value: '64502' },
      ],
      ['AM'],
    );
    expect(body.routing).toEqual({ dispatchedTo: [], suggested: [] });
    expect(body.dispatches).toEqual([]);
  });

  const mixed: Obs[] = [
    { type: 'domain', value: 'portal.gov.by' },
    { type: 'ipv4', value: '198.51.100.200' },
    { type: 'sha256', value: 'a'.repeat(64) },
  ];

  it.each(['TLP:GREEN', 'TLP:CLEAR', 'TLP:AMBER'])(
    '%s dispatches to affected states and every constituency match',
    async (tlp) => {
      const body = await file(tlp, mixed, ['TJ']);
      expect(body.routing).toEqual({ dispatchedTo: ['BY', 'RU', 'TJ'], suggested: [] });
      expect(body.dispatches.map((d: { state: string }) => d.state).sort()).toEqual([
        'BY',
        'RU',
        'TJ',
      ]);
      for (const d of body.dispatches)
        expect(d).toMatchObject({ status: 'pending', escalationLevel: 0 });
    },
  );

  it.each(['TLP:RED', 'TLP:AMBER+STRICT'])(
    '%s dispatches only to affected states; matches are suggested and shared with no one',
    async (tlp) => {
      const body = await file(tlp, mixed, ['TJ']);
      expect(body.routing).toEqual({ dispatchedTo: ['TJ'], suggested: ['BY', 'RU'] });
      const dispatches = await env.db.query(
        'SELECT state FROM dispatches WHERE incident_id = $1 ORDER BY state',
        [body.id],
      );
      expect(dispatches.rows.map((r) => r.state)).toEqual(['TJ']);
      const outbox = await env.db.query(
        'SELECT DISTINCT party FROM outbox WHERE incident_id = $1 ORDER BY party',
        [body.id],
      );
      expect(outbox.rows.map((r) => r.party)).toEqual(['TJ']);
    },
  );

  it('routes with the constituency as it is now', async () => {
    const observable = { type: 'ipv4', value: '192.0.2.5' };
    expect(await matched(observable)).toEqual(['BY']);
    await constituency('BY', ['by'], [], []);
    expect(await matched(observable)).toEqual([]);
    await constituency('TJ', ['tj'], ['192.0.2.0/28'], []);
    expect(await matched(observable)).toEqual(['TJ']);
  });
});

describe('Routing after a constituency change made through another instance', () => {
  let env: TestEnv;
  const services: Service[] = [];

  beforeAll(async () => {
    env = await createTestEnv('routing-two');
    services.push(await startService(env, { role: 'api' }), await startService(env));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await env?.cleanup();
  });

  it('routes by the rules as they are when the incident is filed, on every instance', async () => {
    const [a, b] = services.map((s) => new Api(s.url));
    const reporter = b.as(await b.createKey('analyst', 'AM'));
    const observables = [{ type: 'ipv4', value: '192.0.2.5' }];
    const fileOnB = async () => {
      const res = await reporter.post('/api/v1/incidents', {
        title: 'routing across instances',
        category: 'fraud/phishing',
        severity: 'medium',
        tlp: 'TLP:GREEN',
        sector: 'energy',
        observables,
      });
      expect(res.status).toBe(201);
      return res.body.routing.dispatchedTo as string[];
    };
    const setCidrs = async (code: string, cidrs: string[]) => {
      const res = await a.put(`/api/v1/member-states/${code}/constituency`, {
        domains: [code.toLowerCase()],
        cidrs,
        asns: [],
      });
      expect(res.status).toBe(200);
    };
    expect(await fileOnB()).toEqual([]); // B now holds the rules in memory
    await setCidrs('BY', ['192.0.2.0/24']);
    expect(await fileOnB()).toEqual(['BY']);
    await setCidrs('BY', []);
    await setCidrs('TJ', ['192.0.2.0/28']);
    expect(await fileOnB()).toEqual(['TJ']);
  });
});
