import { HttpException } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUES, msg } from '../i18n/i18n.js';
import { rawPacketLocale } from './http-input.js';
import { Problem } from './problem.js';
import { problemBody, requestLocale } from './problem.filter.js';

/**
 * Every problem type the service sends, as its code raises it (field errors included). The
 * last test checks that no slug in src/ is missing from this table.
 */
const cases: [string, unknown][] = [
  [
    'validation',
    Problem.validation([
      { field: 'observables[0].value', message: msg('obs.ipv4') },
      { field: 'title', message: msg('v.maxLength', { max: 300 }) },
      { field: 'cursor', message: msg('v.cursor') },
      { field: 'password', message: msg('password.weak', { warning: 'similarToCommon' }) },
      { field: 'file', message: msg('v.oneFile') },
      { field: 'contacts[0].locale', message: msg('contact.notAllowed', { type: 'webhook' }) },
    ]),
  ],
  ['not-found', Problem.notFound('incident')],
  ['not-found', Problem.notFound('attachment')],
  ['not-found', Problem.notFound('singleSignOn')],
  ['forbidden', Problem.forbidden()],
  ['forbidden', Problem.forbidden(msg('problem.forbidden.attachmentParty'))],
  ['forbidden', Problem.forbidden(msg('problem.forbidden.sessionOnly'))],
  ['unauthorized', Problem.unauthorized()],
  ['unauthorized', Problem.unauthorized(msg('problem.unauthorized.session'))],
  ['conflict', Problem.conflict(msg('problem.conflict.transition', { from: 'new', to: 'closed' }))],
  ['conflict', Problem.conflict(msg('problem.conflict.usernameTaken', { username: 'ivanov' }))],
  ['conflict', Problem.conflict(msg('problem.conflict.malwareZipOnly'))],
  [
    'idempotency-key-reused',
    new Problem(422, 'idempotency-key-reused', msg('problem.idempotencyKeyReused')),
  ],
  ['rate-limited', new Problem(429, 'rate-limited', msg('problem.rateLimited', { limit: 5 }))],
  [
    'too-many-sign-in-attempts',
    new Problem(429, 'too-many-sign-in-attempts', msg('problem.tooManySignIns')),
  ],
  ['too-many-streams', new Problem(429, 'too-many-streams', msg('problem.tooManyStreams'))],
  [
    'invalid-credentials',
    new Problem(401, 'invalid-credentials', msg('problem.invalidCredentials')),
  ],
  ['second-factor-required', new Problem(401, 'second-factor-required', msg('problem.codeWrong'))],
  [
    'second-factor-enrolment-required',
    new Problem(403, 'second-factor-enrolment-required', msg('problem.enrolFirst')),
  ],
  ['csrf', new Problem(403, 'csrf', msg('problem.csrf'))],
  ['sso-state', new Problem(400, 'sso-state', msg('problem.sso.state'))],
  ['sso-failed', new Problem(401, 'sso-failed', msg('problem.sso.failed'))],
  ['sso-unavailable', new Problem(503, 'sso-unavailable', msg('problem.sso.unavailable'))],
  [
    'no-admissible-role',
    new Problem(403, 'no-admissible-role', msg('problem.sso.noRole', { claim: 'ccc_roles' })),
  ],
  ['unprocessable', new Problem(422, 'unprocessable', msg('problem.unprocessable.taxiiEnvelope'))],
  ['attachment-deleted', new Problem(410, 'attachment-deleted', msg('problem.attachmentDeleted'))],
  [
    'attachment-too-large',
    new Problem(413, 'attachment-too-large', msg('problem.attachmentTooLarge', { max: 1024 })),
  ],
  ['http-400', new Problem(400, 'http-400', msg('input.tooDeep', { max: 64 }))],
  ['http-400', new Problem(400, 'http-400', msg('input.invalidUtf8'))],
  ['http-400', { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }],
  ['http-400', { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }],
  ['http-400', { statusCode: 400, code: 'FST_ERR_BAD_URL' }],
  ['http-400', new Problem(400, 'http-400', msg('input.badRequest'))],
  ['http-404', new HttpException('Cannot GET /x', 404)],
  ['http-408', new Problem(408, 'http-408', msg('input.timeout'))],
  ['http-413', { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }],
  // Nest wraps Fastify's refusals in an HttpException with the original as cause.
  [
    'http-413',
    new HttpException('Request body is too large', 413, {
      cause: { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
    }),
  ],
  ['http-414', { statusCode: 414, code: 'FST_ERR_MAX_PARAM_LENGTH' }],
  ['http-415', { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }],
  [
    'http-415',
    new Problem(
      415,
      'http-415',
      msg('input.mediaType', { count: 2, allowed: 'application/stix+json, application/json' }),
    ),
  ],
  ['http-415', new Problem(415, 'http-415', msg('input.contentEncoding'))],
  ['http-415', new Problem(415, 'http-415', msg('input.charset'))],
  ['http-431', new Problem(431, 'http-431', msg('input.headersTooLarge'))],
  ['http-429', new HttpException('ThrottlerException: Too Many Requests', 429)],
  ['internal', new Error('boom: SELECT secret FROM contacts')],
];

const CYRILLIC = /[а-яё]/i;

describe('problem details in both languages', () => {
  it.each(cases)('%s: same type, status and fields; title and texts per language', (slug, err) => {
    const en = problemBody(err, 'en');
    const ru = problemBody(err, 'ru');
    expect(en.type).toBe(`/problems/${slug}`);
    expect(ru.type).toBe(en.type);
    expect(ru.status).toBe(en.status);
    expect(ru.title).not.toBe(en.title);
    expect(ru.detail).not.toBe(en.detail);
    for (const text of [ru.title, ru.detail]) expect(String(text)).toMatch(CYRILLIC);
    for (const text of [en.title, en.detail]) expect(String(text)).not.toMatch(CYRILLIC);
    // Never the text of an error the service did not write (Fastify's, Nest's, a driver's).
    for (const body of [en, ru])
      expect(JSON.stringify(body)).not.toMatch(/boom|SELECT|Cannot GET|Throttler|is too large/);
    const errors = (p: Record<string, unknown>) =>
      (p.errors as { field: string; message: string }[] | undefined) ?? [];
    expect(errors(ru).map((e) => e.field)).toEqual(errors(en).map((e) => e.field));
    errors(ru).forEach((e, i) => {
      expect(e.message).toMatch(CYRILLIC);
      expect(errors(en)[i].message).not.toMatch(CYRILLIC);
    });
  });

  it('words a validation problem field by field in its detail', () => {
    const err = Problem.validation([
      { field: 'title', message: msg('v.maxLength', { max: 300 }) },
      { field: 'severity', message: msg('v.isIn', { values: 'low, high' }) },
    ]);
    expect(problemBody(err, 'en')).toEqual({
      type: '/problems/validation',
      title: 'Bad Request',
      status: 400,
      detail: 'title: must be at most 300 characters long; severity: must be one of low, high',
      errors: [
        { field: 'title', message: 'must be at most 300 characters long' },
        { field: 'severity', message: 'must be one of low, high' },
      ],
    });
    expect(problemBody(err, 'ru')).toEqual({
      type: '/problems/validation',
      title: 'Неверный запрос',
      status: 400,
      detail:
        'title: должно содержать не более 300 символов; severity: должно быть одним из значений: low, high',
      errors: [
        { field: 'title', message: 'должно содержать не более 300 символов' },
        { field: 'severity', message: 'должно быть одним из значений: low, high' },
      ],
    });
  });

  it('keeps extras and headers of a problem whatever the language', () => {
    const err = new Problem(
      429,
      'rate-limited',
      msg('problem.rateLimited', { limit: 3 }),
      undefined,
      {
        'Retry-After': '7',
      },
      { retryAfter: 7 },
    );
    expect(problemBody(err, 'ru').retryAfter).toBe(7);
    expect(problemBody(err, 'en').retryAfter).toBe(7);
  });

  it('plural forms in the rate-limit detail', () => {
    const detail = (n: number) =>
      problemBody(new Problem(429, 'rate-limited', msg('problem.rateLimited', { limit: n })), 'ru')
        .detail;
    expect(detail(1)).toBe('Превышен предел в 1 запрос в минуту');
    expect(detail(3)).toBe('Превышен предел в 3 запроса в минуту');
    expect(detail(11)).toBe('Превышен предел в 11 запросов в минуту');
    expect(detail(6000)).toMatch(/^Превышен предел в 6\s000 запросов в минуту$/);
    const en = (n: number) =>
      problemBody(new Problem(429, 'rate-limited', msg('problem.rateLimited', { limit: n })), 'en')
        .detail;
    expect(en(1)).toBe('Rate limit of 1 request per minute exceeded');
    expect(en(6000)).toBe('Rate limit of 6,000 requests per minute exceeded');
  });

  it('takes the header first, then the user locale, and English for an unknown language', () => {
    const req = (header?: string, userLocale?: string) =>
      ({ headers: header !== undefined ? { 'accept-language': header } : {}, userLocale }) as never;
    expect(requestLocale(req('ru'))).toBe('ru');
    expect(requestLocale(req(undefined, 'ru'))).toBe('ru');
    expect(requestLocale(req('', 'ru'))).toBe('ru');
    expect(requestLocale(req('en', 'ru'))).toBe('en');
    expect(requestLocale(req('de'))).toBe('en');
    expect(requestLocale(req('de', 'ru'))).toBe('en');
    expect(requestLocale(req('en;q=0.1, ru;q=0.9'))).toBe('ru');
    expect(requestLocale(req(undefined, 'xx'))).toBe('en');
    expect(requestLocale(req(undefined))).toBe('en');
    expect(requestLocale(undefined)).toBe('en');
  });

  it('reads Accept-Language from the bytes of a request Node could not parse', () => {
    const raw = (text: string) => Buffer.from(text, 'latin1');
    expect(rawPacketLocale(raw('GET / HTTP/1.1\r\nAccept-Language: ru-RU, en;q=0.5\r\n'))).toBe(
      'ru',
    );
    expect(rawPacketLocale(raw('GET / HTTP/1.1\r\naccept-language:en\r\nX: y\r\n'))).toBe('en');
    expect(rawPacketLocale(raw('GET / HTTP/1.1\r\nX-Accept-Language: ru\r\n'))).toBe('en');
    expect(rawPacketLocale(undefined)).toBe('en');
  });
});

describe('every problem the service can send', () => {
  /** Slugs of `new Problem(status, 'slug', …)` and `http-NNN` anywhere in src/. */
  function slugsInSource(): Set<string> {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(/new Problem\(\s*[^,]+,\s*'([a-z0-9-]+)'/g))
            found.add(m[1]);
          for (const m of text.matchAll(
            /new Problem\(\s*[^,]+,\s*(\w+) \? '([a-z-]+)' : '([a-z-]+)'/g,
          )) {
            found.add(m[2]);
            found.add(m[3]);
          }
        }
      }
    };
    walk(new URL('..', import.meta.url).pathname);
    return found;
  }

  it('is in the table above', () => {
    const tested = new Set(cases.map(([slug]) => slug));
    const missing = [...slugsInSource()].filter((slug) => !tested.has(slug));
    expect(missing).toEqual([]);
    expect(slugsInSource().size).toBeGreaterThan(15);
  });

  it('has a Russian text for every message a problem can carry, not an English copy', () => {
    const shown = /^(problem|input|v|obs|contact|constituency|password)\./;
    const english = Object.keys(CATALOGUES.en).filter(
      (key) =>
        shown.test(key) &&
        key !== 'problem.validation.item' &&
        (!CYRILLIC.test(CATALOGUES.ru[key]) || CATALOGUES.ru[key] === CATALOGUES.en[key]),
    );
    expect(english).toEqual([]);
  });
});
