import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { availableParallelism } from 'node:os';
import { DataKey, DataKeyError, parseDataKeys } from './data-key.js';
import { parseSla, SlaPeriods } from '../vocabulary/vocabulary.js';
import { EnvSchema, parseTrustedProxies } from './env.schema.js';

export type Role = 'api' | 'worker' | 'all';

/** The one typed view of the environment; nothing else reads process.env. */
export interface AppConfig {
  databaseUrl: string;
  /** One URL; with a cluster, its seed nodes, with Sentinel, the Sentinels (comma-separated). */
  redisUrl: string;
  /** Connect as a Redis Cluster client (ioredis `Cluster`). */
  redisCluster: boolean;
  /** Connect to this Sentinel group's primary; `redisUrl` lists the Sentinels. */
  redisSentinelName?: string;
  port: number;
  role: Role;
  /**
   * Role all on two or more cores (CCC_PROCESSES=auto): this process starts an `api` and a
   * `worker` process and watches them (supervisor.ts) instead of running both itself.
   */
  split: boolean;
  /** Hash-tagged so every key of a deployment lands in one Redis Cluster slot. */
  queuePrefix: string;
  bootstrapAdminKey?: string;
  slaAckSeconds: SlaPeriods;
  escalationMaxLevel: number;
  webhookMaxAttempts: number;
  webhookBackoffMs: number;
  webhookAllowPrivate: boolean;
  smtpUrl?: string;
  rateLimitPerMinute: number;
  reportWeeklyCron: string;
  reportMonthlyCron: string;
  logLevel: string;
  publicUrl: string;
  /** CCC_PUBLIC_URL was set; otherwise a request's own Host names the service's origin. */
  publicUrlSet: boolean;
  /** Main PostgreSQL pool per process; the delivery pipeline's pool is half of it. */
  dbPoolSize: number;
  /** Role worker: where GET /metrics is served; unset means no listener. */
  metricsPort?: number;
  // Live events.
  eventsHeartbeatSeconds: number;
  eventsMaxStreams: number;
  /** Attachments: the largest file accepted, in bytes. */
  attachmentMaxBytes: number;
  /** Interchange: the body limit of imports, in bytes (TAXII `max_content_length`). */
  importMaxBytes: number;
  /** Interchange: observables one imported incident may carry. */
  importMaxObservables: number;
  /** Interchange: hours a finished import's status stays readable before it is purged. */
  importRetentionHours: number;
  // Secrets at rest (h3-secrets)
  /** From CCC_DATA_KEY; unset means the key file `dataKeyFile` (made when missing). */
  dataKeys?: DataKey[];
  dataKeyFile: string;
  /** Addresses and CIDRs whose X-Forwarded-For is believed; empty trusts no one. */
  trustedProxies: string[];
  // People and sign-in (issue 11).
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Roles that must use a second factor for local sign-in. */
  requireTotp: Array<'analyst' | 'coordinator' | 'admin'>;
  /** Single sign-on; set when CCC_OIDC_ISSUER and CCC_OIDC_CLIENT_ID are. */
  oidc?: { issuer: string; clientId: string; clientSecret?: string; rolesClaim: string };
}

export class ConfigError extends Error {}

export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Every set variable; validation's whitelist keeps only those EnvSchema declares.
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}=${JSON.stringify(raw[e.property] ?? null)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  if (parsed.CCC_REDIS_CLUSTER && parsed.CCC_REDIS_SENTINEL_NAME) {
    throw new ConfigError(
      'Invalid configuration:\n  CCC_REDIS_SENTINEL_NAME: not with CCC_REDIS_CLUSTER=true (a cluster has no Sentinels)',
    );
  }
  if (
    parsed.REDIS_URL.includes(',') &&
    !parsed.CCC_REDIS_CLUSTER &&
    !parsed.CCC_REDIS_SENTINEL_NAME
  ) {
    throw new ConfigError(
      `Invalid configuration:\n  REDIS_URL=${JSON.stringify(parsed.REDIS_URL)}: several URLs need CCC_REDIS_CLUSTER=true or CCC_REDIS_SENTINEL_NAME`,
    );
  }
  let dataKeys: DataKey[] | undefined;
  try {
    dataKeys = parsed.CCC_DATA_KEY === undefined ? undefined : parseDataKeys(parsed.CCC_DATA_KEY);
  } catch (err) {
    if (!(err instanceof DataKeyError)) throw err;
    throw new ConfigError(`Invalid configuration:\n  CCC_DATA_KEY: ${err.message}`);
  }
  if (Boolean(parsed.CCC_OIDC_ISSUER) !== Boolean(parsed.CCC_OIDC_CLIENT_ID)) {
    throw new ConfigError(
      'Invalid configuration:\n  CCC_OIDC_ISSUER and CCC_OIDC_CLIENT_ID: set both or neither',
    );
  }
  return {
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    redisCluster: parsed.CCC_REDIS_CLUSTER,
    redisSentinelName: parsed.CCC_REDIS_SENTINEL_NAME,
    port: parsed.PORT,
    role: parsed.CCC_ROLE,
    split:
      parsed.CCC_ROLE === 'all' && parsed.CCC_PROCESSES === 'auto' && availableParallelism() >= 2,
    queuePrefix: `{${parsed.CCC_QUEUE_PREFIX}}`,
    bootstrapAdminKey: parsed.CCC_BOOTSTRAP_ADMIN_KEY,
    slaAckSeconds: parseSla(parsed.CCC_SLA_ACK_SECONDS)!,
    escalationMaxLevel: parsed.CCC_ESCALATION_MAX_LEVEL,
    webhookMaxAttempts: parsed.CCC_WEBHOOK_MAX_ATTEMPTS,
    webhookBackoffMs: parsed.CCC_WEBHOOK_BACKOFF_MS,
    webhookAllowPrivate: parsed.CCC_WEBHOOK_ALLOW_PRIVATE,
    smtpUrl: parsed.SMTP_URL,
    rateLimitPerMinute: parsed.CCC_RATE_LIMIT_PER_MINUTE,
    reportWeeklyCron: parsed.CCC_REPORT_WEEKLY_CRON,
    reportMonthlyCron: parsed.CCC_REPORT_MONTHLY_CRON,
    logLevel: parsed.LOG_LEVEL,
    publicUrl: parsed.CCC_PUBLIC_URL ?? `http://localhost:${parsed.PORT}`,
    publicUrlSet: parsed.CCC_PUBLIC_URL !== undefined,
    dbPoolSize: parsed.CCC_DB_POOL_SIZE,
    metricsPort: parsed.CCC_METRICS_PORT,
    eventsHeartbeatSeconds: parsed.CCC_EVENTS_HEARTBEAT_SECONDS,
    eventsMaxStreams: parsed.CCC_EVENTS_MAX_STREAMS,
    attachmentMaxBytes: parsed.CCC_ATTACHMENT_MAX_BYTES,
    importMaxBytes: parsed.CCC_IMPORT_MAX_BYTES,
    importMaxObservables: parsed.CCC_IMPORT_MAX_OBSERVABLES,
    importRetentionHours: parsed.CCC_IMPORT_RETENTION_HOURS,
    dataKeys,
    dataKeyFile: parsed.CCC_DATA_KEY_FILE,
    trustedProxies: parseTrustedProxies(parsed.CCC_TRUSTED_PROXIES)!,
    sessionIdleMinutes: parsed.CCC_SESSION_IDLE_MINUTES,
    sessionMaxHours: parsed.CCC_SESSION_MAX_HOURS,
    requireTotp:
      parsed.CCC_REQUIRE_TOTP === 'none'
        ? []
        : (parsed.CCC_REQUIRE_TOTP.split(',') as AppConfig['requireTotp']),
    oidc: parsed.CCC_OIDC_ISSUER
      ? {
          issuer: parsed.CCC_OIDC_ISSUER,
          clientId: parsed.CCC_OIDC_CLIENT_ID!,
          clientSecret: parsed.CCC_OIDC_CLIENT_SECRET,
          rolesClaim: parsed.CCC_OIDC_ROLES_CLAIM,
        }
      : undefined,
  };
}
