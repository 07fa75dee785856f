import { request as httpRequest } from 'node:http';
import { Api } from './support/api.js';
import { Person } from './support/person.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

const CYRILLIC = /[а-яё]/i;

/** Raw HTTP, for what fetch refuses to send (huge headers, bytes in the path). */
function raw(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** Every text a person reads in a problem: title, detail, each error message. */
const texts = (p: Problem) => [p.title, p.detail, ...(p.errors ?? []).map((e) => e.message)];

/** `en` and `ru` answers to the same request: same type, status and fields; words per language. */
function expectBothLanguages(en: Problem, ru: Problem, label: string) {
  expect({ label, type: ru.type, status: ru.status }).toEqual({
    label,
    type: en.type,
    status: en.status,
  });
  expect(ru.errors?.map((e) => e.field)).toEqual(en.errors?.map((e) => e.field));
  for (const text of texts(ru))
    expect({ label, text, ru: CYRILLIC.test(text) }).toMatchObject({ ru: true });
  for (const text of texts(en))
    expect({ label, text, en: !CYRILLIC.test(text) }).toMatchObject({ en: true });
}

describe('Languages: problem details as Accept-Language, the user or English asks', () => {
  let env: TestEnv;
  let service: Service;
  let admin: Api;
  let analyst: Api;

  beforeAll(async () => {
    env = await createTestEnv('languages');
    service = await startService(env);
    admin = new Api(service.url);
    analyst = admin.as(await admin.createKey('analyst', 'BY'));
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await env?.cleanup();
  });

  const badFiling = {
    title: 'x'.repeat(301),
    category: 'fraud/nothing',
    tlp: 'TLP:GREEN',
    sector: 'energy',
    observables: [{ type: 'ipv4', value: '300.1.2.3' }],
    extra: true,
  };

  it.each([
    [undefined, 'en'],
    ['ru', 'ru'],
    ['ru-RU,ru;q=0.9', 'ru'],
    ['en;q=0.5, ru;q=0.8', 'ru'],
    ['ru;q=0.2, en;q=0.9', 'en'],
    ['ru;q=0, en', 'en'],
    ['de', 'en'],
    ['de, ru;q=0.1', 'ru'],
    ['*', 'en'],
    ['en-GB', 'en'],
  ])('Accept-Language %p → %s for every text of a validation problem', async (header, locale) => {
    const res = await analyst.post(
      '/api/v1/incidents',
      badFiling,
      header === undefined ? {} : { 'accept-language': header },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-language')).toBe(locale);
    expect(res.headers.get('vary')).toMatch(/accept-language/i);
    const body = res.body as Problem;
    expect(body.type).toBe('/problems/validation');
    expect(body.title).toBe(locale === 'ru' ? 'Неверный запрос' : 'Bad Request');
    expect(body.errors!.map((e) => e.field).sort()).toEqual([
      'category',
      'extra',
      'severity',
      'title',
    ]);
    for (const text of texts(body)) expect(CYRILLIC.test(text)).toBe(locale === 'ru');
    const title = body.errors!.find((e) => e.field === 'title')!.message;
    expect(title).toBe(
      locale === 'ru'
        ? 'должно содержать от 1 до 300 символов'
        : 'must be 1 to 300 characters long',
    );
  });

  it('words the normalisers, intake rules and state changes in both languages', async () => {
    const good = {
      title: 'Phishing',
      category: 'fraud/phishing',
      severity: 'low',
      tlp: 'TLP:GREEN',
      sector: 'energy',
    };
    const filed = await analyst.post('/api/v1/incidents', good);
    expect(filed.status).toBe(201);
    const coordinator = admin.as(await admin.createKey('coordinator'));
    const requests: [string, (lang: Record<string, string>) => Promise<{ body: Problem }>][] = [
      [
        'observable',
        (h) =>
          analyst.post(
            '/api/v1/incidents',
            { ...good, observables: [{ type: 'ipv4', value: '300.1.2.3' }] },
            h,
          ),
      ],
      ['own state', (h) => analyst.post('/api/v1/incidents', { ...good, reportingState: 'KZ' }, h)],
      [
        'transition',
        (h) =>
          coordinator.request(
            'POST',
            `/api/v1/incidents/${filed.body.id}/transitions`,
            { to: 'closed' },
            h,
          ),
      ],
      [
        'rejection note',
        (h) =>
          coordinator.request(
            'POST',
            `/api/v1/incidents/${filed.body.id}/transitions`,
            { to: 'rejected' },
            h,
          ),
      ],
      [
        'constituency',
        (h) =>
          admin.request(
            'PUT',
            '/api/v1/member-states/BY/constituency',
            { domains: ['*.by'], cidrs: ['10.0.0.1/8'], asns: [-1] },
            h,
          ),
      ],
      [
        'contacts',
        (h) =>
          admin.request(
            'PUT',
            '/api/v1/member-states/BY/contacts',
            { contacts: [{ type: 'webhook', url: 'ftp://x', secret: 'nope', locale: 'ru' }] },
            h,
          ),
      ],
      ['cursor', (h) => analyst.get('/api/v1/incidents?cursor=bogus', h)],
      [
        'report period',
        (h) =>
          coordinator.post(
            '/api/v1/reports',
            { from: '2026-05-01', to: '2026-04-01', audience: 'public' },
            h,
          ),
      ],
      [
        'role',
        (h) =>
          analyst.post(
            '/api/v1/reports',
            { from: '2026-04-01', to: '2026-05-01', audience: 'public' },
            h,
          ),
      ],
      [
        'no such incident',
        (h) => analyst.get('/api/v1/incidents/6f1c7f0e-2a51-4d0e-9d55-1b2f3a4c5d6e', h),
      ],
      ['no key', (h) => new Api(service.url, '').get('/api/v1/incidents', h)],
      ['unknown route', (h) => analyst.get('/api/v1/nowhere', h)],
      [
        'idempotency key',
        (h) =>
          analyst.post('/api/v1/incidents', good, { ...h, 'idempotency-key': 'k'.repeat(300) }),
      ],
      [
        'username',
        (h) => admin.post('/api/v1/users', { username: 'Not Valid!', role: 'analyst' }, h),
      ],
    ];
    for (const [label, send] of requests) {
      const en = (await send({ 'accept-language': 'en' })).body;
      const ru = (await send({ 'accept-language': 'ru' })).body;
      expectBothLanguages(en, ru, label);
    }
  });

  it('words the HTTP input rules and Fastify’s own refusals in both languages', async () => {
    const send = (lang: string, body: string, headers: Record<string, string> = {}) =>
      analyst.request('POST', '/api/v1/incidents', body, {
        'content-type': 'application/json',
        'accept-language': lang,
        ...headers,
      });
    const cases: [string, number, (lang: string) => Promise<{ status: number; body: Problem }>][] =
      [
        ['media type', 415, (l) => send(l, 'title=x', { 'content-type': 'text/plain' })],
        [
          'charset',
          415,
          (l) => send(l, '{}', { 'content-type': 'application/json; charset=latin1' }),
        ],
        ['encoding', 415, (l) => send(l, '{}', { 'content-encoding': 'gzip' })],
        ['NUL', 400, (l) => send(l, JSON.stringify({ title: 'a\u0000b' }))],
        ['depth', 400, (l) => send(l, `{"title":${'['.repeat(70)}${']'.repeat(70)}}`)],
        ['malformed', 400, (l) => send(l, '{"title":')],
        ['empty', 400, (l) => send(l, '')],
        ['too large', 413, (l) => send(l, JSON.stringify({ title: 'a'.repeat(1024 * 1024) }))],
      ];
    for (const [label, status, request] of cases) {
      const en = await request('en');
      const ru = await request('ru');
      expect({ label, status: en.status }).toEqual({ label, status });
      expect({ label, status: ru.status }).toEqual({ label, status });
      expectBothLanguages(en.body, ru.body, label);
    }
    // The router's own refusal of a URL that is not valid percent-encoding, before any hook.
    const badUrl = (lang: string) =>
      raw(service.url, '/api/v1/incidents/%E0%A4%A', { 'accept-language': lang });
    const [urlEn, urlRu] = [await badUrl('en'), await badUrl('ru')];
    expect([urlEn.status, urlRu.status]).toEqual([400, 400]);
    expect(urlRu.headers['content-language']).toBe('ru');
    expectBothLanguages(urlEn.body, urlRu.body, 'bad URL');
    // Headers over Node's limit: answered on the raw socket, in the language the request asked.
    const huge = (lang: string) =>
      raw(service.url, '/api/v1/incidents', {
        'accept-language': lang,
        'x-filler': 'a'.repeat(20_000),
      });
    const [bigEn, bigRu] = [await huge('en'), await huge('ru')];
    expect([bigEn.status, bigRu.status]).toEqual([431, 431]);
    expect(bigRu.headers['content-language']).toBe('ru');
    expectBothLanguages(bigEn.body, bigRu.body, 'header overflow');
    // The queue dashboard's refusal, outside Nest.
    const queues = (lang: string) =>
      new Api(service.url, '').get('/admin/queues', { 'accept-language': lang });
    const [qEn, qRu] = [await queues('en'), await queues('ru')];
    expect([qEn.status, qRu.status]).toEqual([401, 401]);
    expectBothLanguages(qEn.body, qRu.body, 'queue dashboard');
    expect(service.logs()).not.toContain('"unhandled error"');
  });

  it('answers a signed-in person in their own language unless the header asks otherwise', async () => {
    const signedIn = async (username: string, locale: string) => {
      const created = await admin.post('/api/v1/users', {
        username,
        role: 'analyst',
        state: 'BY',
        locale,
      });
      expect(created.status).toBe(201);
      const password = `copper-lantern-misty-orbit-42-${locale}`;
      const p = new Person(service.url);
      expect(
        (
          await p.post('/api/v1/auth/activate', {
            token: created.body.activationToken,
            password,
          })
        ).status,
      ).toBe(204);
      expect((await p.login(username, password)).status).toBe(200);
      return p;
    };
    const olga = await signedIn('olga', 'ru');
    const john = await signedIn('john', 'en');
    const bad = '/api/v1/incidents?cursor=bogus';

    const own = await olga.get(bad);
    expect(own.status).toBe(400);
    expect(own.headers.get('content-language')).toBe('ru');
    expect(own.body.errors).toEqual([
      { field: 'cursor', message: 'не является действительным курсором' },
    ]);
    const asked = await olga.request('GET', bad, undefined, { 'accept-language': 'en' });
    expect(asked.body.errors).toEqual([{ field: 'cursor', message: 'is not a valid cursor' }]);
    // A header that accepts neither language: English, whatever the user's own.
    const neither = await olga.request('GET', bad, undefined, { 'accept-language': 'de' });
    expect(neither.headers.get('content-language')).toBe('en');

    expect((await john.get(bad)).headers.get('content-language')).toBe('en');
    const johnRu = await john.request('GET', bad, undefined, { 'accept-language': 'ru' });
    expect(johnRu.headers.get('content-language')).toBe('ru');

    // Refused before the principal is set (no CSRF token): still the person's language.
    const csrf = await olga.request('POST', '/api/v1/incidents', {}, {}, { csrf: false });
    expect(csrf.status).toBe(403);
    expect(csrf.body.type).toBe('/problems/csrf');
    expect(csrf.body.detail).toMatch(CYRILLIC);

    // An API key has no language of its own: English without the header.
    expect((await analyst.get(bad)).headers.get('content-language')).toBe('en');
  });
});
