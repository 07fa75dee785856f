import { Api } from './support/api.js';
import { createTestEnv, Service, startService, TestEnv } from './support/service.js';

describe('HTTP conventions and operations', () => {
  let env: TestEnv;
  let first: Service;
  let second: Service;
  let admin: Api;

  beforeAll(async () => {
    env = await createTestEnv('ops');
    const limited = { env: { CCC_RATE_LIMIT_PER_MINUTE: '5' } };
    first = await startService(env, limited);
    second = await startService(env, limited);
    admin = new Api(first.url);
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await env?.cleanup();
  });

  it('rate-limits per API key across instances, with Retry-After', async () => {
    const key = await admin.createKey('coordinator');
    const viaFirst = new Api(first.url, key);
    const viaSecond = new Api(second.url, key);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await viaFirst.get('/api/v1/api-keys')).status);
    for (let i = 0; i < 2; i++) statuses.push((await viaSecond.get('/api/v1/api-keys')).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    const limited = await viaSecond.get('/api/v1/api-keys');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await viaFirst.get('/api/v1/api-keys')).status).toBe(429);
    // Another key has its own budget.
    const other = new Api(first.url, await admin.createKey('coordinator'));
    expect((await other.get('/api/v1/api-keys')).status).toBe(403);
  });

  it('answers malformed JSON with 400 and an oversized body with 413, as problems', async () => {
    const key = await new Api(second.url).createKey('admin');
    const api = new Api(second.url, key);
    const before = await env.db.query('SELECT count(*)::int AS n FROM api_keys');
    const malformed = await api.request('POST', '/api/v1/api-keys', '{"name": ', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(malformed.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(malformed.text).not.toMatch(/at .*\.js:\d+/);

    const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), role: 'admin' });
    const tooLarge = await api.request('POST', '/api/v1/api-keys', huge, {
      'content-type': 'application/json',
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ status: 413 });
    const after = await env.db.query('SELECT count(*)::int AS n FROM api_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('echoes a request id and counts requests in /metrics', async () => {
    const res = await new Api(first.url, '').get('/health/live', {
      'x-request-id': 'trace-me-123',
    });
    expect(res.headers.get('x-request-id')).toBe('trace-me-123');
    const metrics = await new Api(first.url, '').get('/metrics');
    expect(metrics.text).toMatch(
      /http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/,
    );
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
  });

  it('logs each request as one JSON line with its id, never the key, and sets security headers', async () => {
    const verbose = await startService(env, { env: { LOG_LEVEL: 'info' } });
    try {
      const res = await new Api(verbose.url, 'ccc_not-a-real-key-7f3a').get('/api/v1/incidents', {
        'x-request-id': 'trace-log-7',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      let line: string | undefined;
      for (let i = 0; i < 50 && !line; i++) {
        line = verbose
          .logs()
          .split('\n')
          .find((l) => l.includes('"trace-log-7"'));
        if (!line) await new Promise((r) => setTimeout(r, 100));
      }
      expect(JSON.parse(line!)).toMatchObject({
        reqId: 'trace-log-7',
        role: 'all',
        msg: 'request completed',
        req: { method: 'GET', url: '/api/v1/incidents' },
        res: { statusCode: 401 },
      });
      expect(verbose.logs()).not.toContain('not-a-real-key');
    } finally {
      await verbose.stop();
    }
  });
});
