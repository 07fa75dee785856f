import { HttpException } from '@nestjs/common';
import { msg } from '../i18n/i18n.js';
import { Problem } from './problem.js';
import { problemBody, requestLocale } from './problem.filter.js';

const cases: [string, unknown][] = [
  ['validation', Problem.validation([{ field: 'observables[0].value', message: msg('obs.ipv4') }])],
  ['not-found', Problem.notFound('incident')],
  ['forbidden', Problem.forbidden()],
  ['unauthorized', Problem.unauthorized()],
  ['conflict', Problem.conflict(msg('problem.conflict.transition', { from: 'new', to: 'closed' }))],
  [
    'idempotency-key-reused',
    new Problem(422, 'idempotency-key-reused', msg('problem.idempotencyKeyReused')),
  ],
  ['rate-limited', new Problem(429, 'rate-limited', msg('problem.rateLimited', { limit: 5 }))],
  ['http-404', new HttpException('Cannot GET /x', 404)],
  ['http-413', { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }],
  ['http-415', { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }],
  ['http-400', { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }],
  ['internal', new Error('boom')],
];

describe('problem details in both languages', () => {
  it.each(cases)('%s: same type, status and fields; title and texts per language', (slug, err) => {
    const en = problemBody(err, 'en').problem;
    const ru = problemBody(err, 'ru').problem;
    expect(en.type).toBe(`/problems/${slug}`);
    expect(ru.type).toBe(en.type);
    expect(ru.status).toBe(en.status);
    expect(ru.title).not.toBe(en.title);
    expect(ru.detail).not.toBe(en.detail);
    expect(String(ru.detail) + String(ru.title)).toMatch(/[а-яё]/i);
    expect(String(en.detail) + String(en.title)).not.toMatch(/[а-яё]/i);
    const fields = (p: Record<string, unknown>) =>
      ((p.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
    expect(fields(ru)).toEqual(fields(en));
  });

  it('plural forms in the rate-limit detail', () => {
    const body = (n: number) =>
      problemBody(new Problem(429, 'rate-limited', msg('problem.rateLimited', { limit: n })), 'ru')
        .problem.detail;
    expect(body(1)).toBe('Превышен предел в 1 запрос в минуту');
    expect(body(3)).toBe('Превышен предел в 3 запроса в минуту');
    expect(body(6000)).toMatch(/6\s000 запросов/);
  });

  it('takes the header first, then the user locale, and English for an unknown language', () => {
    const req = (header?: string, locale?: string) =>
      ({ headers: header ? { 'accept-language': header } : {}, principal: { locale } }) as never;
    expect(requestLocale(req('ru'))).toBe('ru');
    expect(requestLocale(req(undefined, 'ru'))).toBe('ru');
    expect(requestLocale(req('en', 'ru'))).toBe('en');
    expect(requestLocale(req('de'))).toBe('en');
    expect(requestLocale(req('de', 'ru'))).toBe('en');
    expect(requestLocale(req('en;q=0.1, ru;q=0.9'))).toBe('ru');
  });
});
