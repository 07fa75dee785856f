import { Api } from './support/api.js';
import { newDataKey, openSealed } from './support/sealed.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const SEEDED: Record<string, string[]> = {
  AM: ['am'],
  BY: ['by'],
  KG: ['kg'],
  KZ: ['kz'],
  RU: ['ru', 'su', 'xn--p1ai'],
  TJ: ['tj'],
};

describe('Member states: constituencies and contacts', () => {
  const dataKey = newDataKey();
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let coordinator: Api;
  let analyst: Api;

  const auditActions = async (action: string) =>
    (await env.db.query('SELECT change FROM audit_log WHERE action = $1 ORDER BY seq', [action]))
      .rows;
  const stateOf = async (api: Api, code: string) => {
    const res = await api.get(`/api/v1/member-states/${code}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    env = await createTestEnv('memberstates');
    service = await startService(env, { env: { CCC_DATA_KEY: dataKey } });
    admin = new Api(service.url);
    coordinator = admin.as(await admin.createKey('coordinator'));
    analyst = admin.as(await admin.createKey('analyst', 'KZ'));
  });

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  it('lists the six seeded states with their country-code domains to any key', async () => {
    const res = await analyst.get('/api/v1/member-states');
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((s: { code: string }) => s.code)).toEqual(Object.keys(SEEDED));
    for (const state of res.body.items) {
      expect(state.constituency).toEqual({ domains: SEEDED[state.code], cidrs: [], asns: [] });
      expect(state.contacts).toBeUndefined();
      expect(typeof state.name).toBe('string');
    }
    const page = await analyst.get('/api/v1/member-states?limit=4');
    expect(page.body.items).toHaveLength(4);
    const rest = await analyst.get(`/api/v1/member-states?cursor=${page.body.nextCursor}`);
    expect(rest.body.items.map((s: { code: string }) => s.code)).toEqual(['RU', 'TJ']);
    expect((await analyst.get('/api/v1/member-states/XX')).status).toBe(404);
  });

  it('refuses an invalid constituency naming each bad entry, and changes nothing', async () => {
    const cases: [unknown, string[]][] = [
      [{ domains: ['ok.by'], cidrs: ['192.0.2.0/24', '300.1.1.0/24'], asns: [] }, ['cidrs[1]']],
      [{ domains: ['ok.by', 'bad domain!'], cidrs: [], asns: [] }, ['domains[1]']],
      [
        { domains: [], cidrs: [], asns: [64500, '64501', -1, 4294967296] },
        ['asns[1]', 'asns[2]', 'asns[3]'],
      ],
      [{ domains: [], cidrs: ['10.1.2.3/8'], asns: [] }, ['cidrs[0]']],
      [{ domains: [], cidrs: [], asns: [], colour: 'red' }, ['colour']],
      [{ domains: [], cidrs: [] }, ['asns']],
      [{ domains: 'gov.by', cidrs: [], asns: [] }, ['domains']],
    ];
    for (const [body, fields] of cases) {
      const res = await admin.put('/api/v1/member-states/BY/constituency', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))]).toEqual(fields);
    }
    const hostBits = await admin.put('/api/v1/member-states/BY/constituency', {
      domains: [],
      cidrs: ['10.1.2.3/8'],
      asns: [],
    });
    expect(hostBits.body.detail).toBe('cidrs[0]: has host bits set (the network is 10.0.0.0/8)');
    expect((await stateOf(admin, 'BY')).constituency).toEqual({
      domains: ['by'],
      cidrs: [],
      asns: [],
    });
    expect(await auditActions('member-state.constituency-replaced')).toEqual([]);
  });

  it('bounds the lists', async () => {
    const res = await admin.put('/api/v1/member-states/BY/constituency', {
      domains: Array.from({ length: 20_001 }, (_, i) => `d${i}.by`),
      cidrs: [],
      asns: [],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('domains');
  });

  it('answers 404 for an unknown state and 403 for non-admins', async () => {
    const body = { domains: [], cidrs: [], asns: [] };
    expect((await admin.put('/api/v1/member-states/XX/constituency', body)).status).toBe(404);
    expect((await admin.put('/api/v1/member-states/CCC/contacts', { contacts: [] })).status).toBe(
      404,
    );
    for (const api of [coordinator, analyst]) {
      expect((await api.put('/api/v1/member-states/KZ/constituency', body)).status).toBe(403);
      expect((await api.put('/api/v1/member-states/KZ/contacts', { contacts: [] })).status).toBe(
        403,
      );
      expect((await api.put('/api/v1/coordination-center/contacts', { contacts: [] })).status).toBe(
        403,
      );
    }
    expect((await analyst.get('/api/v1/coordination-center/contacts')).status).toBe(403);
  });

  it('replaces the constituency with normalised entries and audits counts only', async () => {
    const res = await admin.put('/api/v1/member-states/by/constituency', {
      domains: ['Gov.BY.', 'пример.рф', 'gov.by', 'mail.example.com'],
      cidrs: ['192.0.2.0/24', '2001:DB8:0::/32', '198.51.100.7', '::ffff:203.0.113.0/120'],
      asns: [64500, 4294967295, 64500],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 'BY', name: 'Belarus', contacts: [] });
    expect(res.body.constituency).toEqual({
      domains: ['gov.by', 'mail.example.com', 'xn--e1afmkfd.xn--p1ai'],
      cidrs: ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/24', '2001:db8::/32'],
      asns: [64500, 4294967295],
    });
    expect((await stateOf(analyst, 'BY')).constituency).toEqual(res.body.constituency);

    const [audit] = await auditActions('member-state.constituency-replaced');
    expect(JSON.parse(audit.change)).toEqual({
      before: { domains: 1, cidrs: 0, asns: 0 },
      after: { domains: 3, cidrs: 4, asns: 2 },
    });

    // Replacing again swaps the whole set; other states are untouched.
    const again = await admin.put('/api/v1/member-states/BY/constituency', {
      domains: ['by'],
      cidrs: [],
      asns: [],
    });
    expect(again.body.constituency).toEqual({ domains: ['by'], cidrs: [], asns: [] });
    expect((await stateOf(admin, 'RU')).constituency.domains).toEqual(SEEDED.RU);
  });

  it('takes large constituencies in one request', async () => {
    const cidrs = Array.from({ length: 20_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const domains = Array.from({ length: 20_000 }, (_, i) => `host${i}.kz`);
    const asns = Array.from({ length: 5_000 }, (_, i) => 64_512 + i);
    const res = await admin.put('/api/v1/member-states/KZ/constituency', { domains, cidrs, asns });
    expect(res.status).toBe(200);
    expect(res.body.constituency.cidrs).toHaveLength(20_000);
    expect(res.body.constituency.domains).toHaveLength(20_000);
    expect(res.body.constituency.asns).toHaveLength(5_000);
    const count = await env.db.query(
      "SELECT count(*)::int AS n FROM constituency_cidrs WHERE state_code = 'KZ'",
    );
    expect(count.rows[0].n).toBe(20_000);
  });

  it('refuses bad contacts naming the field, echoing no secret', async () => {
    const cases: [unknown, string[]][] = [
      [
        { contacts: [{ type: 'webhook', url: 'ftp://hooks.example.by/x', secret: SECRET }] },
        ['contacts[0].url'],
      ],
      [
        {
          contacts: [
            { type: 'webhook', url: 'https://hooks.example.by/x', secret: 'whsec_c2hvcnQ=' },
          ],
        },
        ['contacts[0].secret'],
      ],
      [
        { contacts: [{ type: 'webhook', url: 'https://hooks.example.by/x' }] },
        ['contacts[0].secret'],
      ],
      [
        {
          contacts: [
            { type: 'email', address: 'x@gov.by' },
            { type: 'email', address: 'nope' },
          ],
        },
        ['contacts[1].address'],
      ],
      [{ contacts: [{ type: 'sms', address: '+375' }] }, ['contacts[0].type']],
      [
        { contacts: [{ type: 'email', address: 'x@gov.by', locale: 'de' }] },
        ['contacts[0].locale'],
      ],
      [{ contacts: [{ type: 'email', address: 'x@gov.by', extra: 1 }] }, ['contacts[0].extra']],
      [
        { contacts: Array.from({ length: 21 }, () => ({ type: 'email', address: 'x@gov.by' })) },
        ['contacts'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await admin.put('/api/v1/member-states/BY/contacts', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
      expect(res.text).not.toContain(SECRET.slice(6));
    }
    expect((await stateOf(admin, 'BY')).contacts).toEqual([]);
  });

  it('replaces contacts, never shows or audits secrets or URL credentials', async () => {
    const body = {
      contacts: [
        { type: 'webhook', url: 'https://hooks.example.by/csirt?token=abc', secret: SECRET },
        { type: 'email', address: 'CERT@Gov.BY' },
        { type: 'email', address: 'soc@gov.by', locale: 'en' },
        {
          type: 'webhook',
          url: 'http://user:p4ssw0rd@receiver.example.by:8080/in',
          secret: SECRET,
        },
      ],
    };
    const res = await admin.put('/api/v1/member-states/BY/contacts', body);
    expect(res.status).toBe(200);
    const expected = [
      { type: 'webhook', url: 'https://hooks.example.by/csirt?token=abc' },
      { type: 'email', address: 'CERT@gov.by', locale: 'ru' }, // the working language by default
      { type: 'email', address: 'soc@gov.by', locale: 'en' },
      { type: 'webhook', url: 'http://***@receiver.example.by:8080/in' },
    ];
    expect(res.body).toEqual({ contacts: expected });

    const asCoordinator = await coordinator.get('/api/v1/member-states');
    const by = asCoordinator.body.items.find((s: { code: string }) => s.code === 'BY');
    expect(by.contacts).toEqual(expected);
    const asAnalyst = await analyst.get('/api/v1/member-states/BY');
    expect(asAnalyst.body.contacts).toBeUndefined();
    for (const text of [asCoordinator.text, asAnalyst.text, res.text]) {
      expect(text).not.toContain(SECRET.slice(6));
      expect(text).not.toContain('p4ssw0rd');
    }

    const stored = await env.db.query(
      "SELECT position, secret FROM contacts WHERE party = 'BY' ORDER BY position",
    );
    // Sealed at rest (AES-256-GCM, a fresh IV each): no part of the secret in the column.
    expect(JSON.stringify(stored.rows)).not.toContain(SECRET.slice(6, 14));
    expect(stored.rows.map((r) => r.secret && openSealed(r.secret, dataKey))).toEqual([
      SECRET,
      null,
      null,
      SECRET,
    ]);
    expect(stored.rows[0].secret).not.toBe(stored.rows[3].secret);

    const audit = await env.db.query('SELECT * FROM audit_log');
    const auditText = JSON.stringify(audit.rows);
    expect(auditText).not.toContain(SECRET.slice(6));
    expect(auditText).not.toContain('p4ssw0rd');
    expect(auditText).not.toContain('token=abc');
    const [entry] = await auditActions('contacts.replaced');
    expect(JSON.parse(entry.change)).toEqual({
      party: 'BY',
      contacts: [
        { type: 'webhook', origin: 'https://hooks.example.by' },
        { type: 'email', address: 'CERT@gov.by', locale: 'ru' },
        { type: 'email', address: 'soc@gov.by', locale: 'en' },
        { type: 'webhook', origin: 'http://receiver.example.by:8080' },
      ],
    });

    expect(service.logs()).not.toContain(SECRET.slice(6));

    const cleared = await admin.put('/api/v1/member-states/BY/contacts', { contacts: [] });
    expect(cleared.body).toEqual({ contacts: [] });
    expect((await stateOf(coordinator, 'BY')).contacts).toEqual([]);
  });

  it('keeps the coordination center contacts apart', async () => {
    const res = await admin.put('/api/v1/coordination-center/contacts', {
      contacts: [{ type: 'webhook', url: 'https://ccc.example.org/hook', secret: SECRET }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      contacts: [{ type: 'webhook', url: 'https://ccc.example.org/hook' }],
    });
    const listed = await coordinator.get('/api/v1/coordination-center/contacts');
    expect(listed.body).toEqual(res.body);
    expect(listed.text).not.toContain(SECRET.slice(6));
    const party = await env.db.query("SELECT count(*)::int AS n FROM contacts WHERE party = 'CCC'");
    expect(party.rows[0].n).toBe(1);
    const bad = await admin.put('/api/v1/coordination-center/contacts', {
      contacts: [{ type: 'webhook', url: 'file:///etc/passwd', secret: SECRET }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'contacts[0].url' })]);
  });
});
