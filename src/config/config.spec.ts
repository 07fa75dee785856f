import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './config.js';
import { parseSla } from '../vocabulary/vocabulary.js';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/ccc',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      role: 'all',
      queuePrefix: '{ccc}',
      escalationMaxLevel: 3,
      webhookMaxAttempts: 8,
      webhookBackoffMs: 1000,
      webhookAllowPrivate: false,
      rateLimitPerMinute: 6000,
      importRetentionHours: 168,
      reportWeeklyCron: '0 0 * * 1',
      reportMonthlyCron: '0 0 1 * *',
      slaAckSeconds: { critical: 900, high: 3600, medium: 14400, low: 86400 },
    });
    expect(config.split).toBe(availableParallelism() >= 2);
    expect(config.bootstrapAdminKey).toBeUndefined();
    expect(config.smtpUrl).toBeUndefined();
  });

  it('reads and converts every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      CCC_ROLE: 'worker',
      CCC_QUEUE_PREFIX: 'prod-a',
      CCC_WEBHOOK_ALLOW_PRIVATE: 'true',
      CCC_RATE_LIMIT_PER_MINUTE: '0',
      CCC_SLA_ACK_SECONDS: 'low=4,medium=3,high=2,critical=1',
      CCC_REPORT_WEEKLY_CRON: '*/5 * * * * *',
      CCC_IMPORT_RETENTION_HOURS: '24',
    });
    expect(config.port).toBe(8080);
    expect(config.role).toBe('worker');
    expect(config.split).toBe(false);
    expect(config.queuePrefix).toBe('{prod-a}');
    expect(config.webhookAllowPrivate).toBe(true);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.slaAckSeconds).toEqual({ critical: 1, high: 2, medium: 3, low: 4 });
    expect(config.reportWeeklyCron).toBe('*/5 * * * * *');
    expect(config.importRetentionHours).toBe(24);
  });

  it('takes several Redis seed URLs only in cluster mode', () => {
    const seeds = 'redis://10.0.0.1:7000, redis://10.0.0.2:7000';
    expect(loadConfig({ REDIS_URL: seeds, CCC_REDIS_CLUSTER: 'true' })).toMatchObject({
      redisUrl: seeds,
      redisCluster: true,
    });
    expect(loadConfig({}).redisCluster).toBe(false);
    expect(() => loadConfig({ REDIS_URL: seeds })).toThrow(/REDIS_URL.*CCC_REDIS_CLUSTER=true/);
  });

  it('takes a Sentinel group name, with the Sentinels in REDIS_URL', () => {
    const sentinels = 'redis://:pw@10.0.0.1:26379,redis://10.0.0.2:26379';
    expect(
      loadConfig({ REDIS_URL: sentinels, CCC_REDIS_SENTINEL_NAME: 'ccc-primary' }),
    ).toMatchObject({ redisUrl: sentinels, redisSentinelName: 'ccc-primary', redisCluster: false });
    expect(loadConfig({}).redisSentinelName).toBeUndefined();
    expect(() =>
      loadConfig({ CCC_REDIS_SENTINEL_NAME: 'ccc-primary', CCC_REDIS_CLUSTER: 'true' }),
    ).toThrow(/CCC_REDIS_SENTINEL_NAME/);
  });

  it('checks schedules with the parser BullMQ uses; a sixth leading field gives seconds', () => {
    for (const cron of ['0 0 * * 1', '0 0 1 * *', '30 0 0 * * MON', '*/5 * * * * *', '@weekly']) {
      expect(loadConfig({ CCC_REPORT_WEEKLY_CRON: cron }).reportWeeklyCron).toBe(cron);
    }
    expect(() => loadConfig({ CCC_REPORT_WEEKLY_CRON: '99 99 * * *' })).toThrow(
      /CCC_REPORT_WEEKLY_CRON="99 99 \* \* \*": must be a cron expression.*\(.*got value 99/,
    );
  });

  it('trusts no proxy unless CCC_TRUSTED_PROXIES lists addresses or CIDRs', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(
      loadConfig({ CCC_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,2001:db8::/32,loopback' })
        .trustedProxies,
    ).toEqual(['10.0.0.1', '192.168.0.0/16', '2001:db8::/32', 'loopback']);
  });

  it('has no metrics port unless CCC_METRICS_PORT is set', () => {
    expect(loadConfig({}).metricsPort).toBeUndefined();
    expect(loadConfig({ CCC_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'abc'],
    ['CCC_ROLE', 'both'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['REDIS_URL', 'redis://a:1,http://b:2'],
    ['CCC_REDIS_CLUSTER', 'maybe'],
    ['CCC_REDIS_SENTINEL_NAME', 'has space'],
    ['CCC_QUEUE_PREFIX', 'has space'],
    ['CCC_SLA_ACK_SECONDS', 'critical=1,high=2'],
    ['CCC_ESCALATION_MAX_LEVEL', '-1'],
    ['CCC_WEBHOOK_MAX_ATTEMPTS', '0'],
    ['CCC_WEBHOOK_ALLOW_PRIVATE', 'yes'],
    ['SMTP_URL', 'mail.example.org'],
    ['CCC_REPORT_MONTHLY_CRON', 'monthly'],
    ['CCC_BOOTSTRAP_ADMIN_KEY', 'short'],
    ['CCC_METRICS_PORT', '-1'],
    ['CCC_REPORT_WEEKLY_CRON', '99 99 * * *'],
    ['CCC_REPORT_WEEKLY_CRON', '0 0 31 2 *'],
    ['CCC_REPORT_MONTHLY_CRON', '0 0 1 13 *'],
    ['CCC_REPORT_MONTHLY_CRON', '* * * * * * *'],
    ['CCC_IMPORT_RETENTION_HOURS', '23'],
    ['CCC_TRUSTED_PROXIES', '10.0.0.0/33'],
    ['CCC_TRUSTED_PROXIES', '10.0.0.1,proxy.example'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('parseSla', () => {
  it('needs all four severities with positive seconds', () => {
    expect(parseSla('critical=1,high=2,medium=3,low=4')).toEqual({
      critical: 1,
      high: 2,
      medium: 3,
      low: 4,
    });
    expect(parseSla('critical=0,high=2,medium=3,low=4')).toBeNull();
    expect(parseSla('critical=1,high=2,medium=3')).toBeNull();
    expect(parseSla('urgent=1,critical=1,high=2,medium=3,low=4')).toBeNull();
  });
});
