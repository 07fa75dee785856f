import { Transform } from 'class-transformer';
import { CronExpressionParser } from 'cron-parser';
import ipaddr from 'ipaddr.js';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { parseSla } from '../vocabulary/vocabulary.js';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

@ValidatorConstraint({ name: 'slaSpec' })
class SlaSpecConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && parseSla(value) !== null;
  }
  defaultMessage() {
    return 'must list critical, high, medium and low as severity=seconds, comma-separated';
  }
}

@ValidatorConstraint({ name: 'cron' })
class CronConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && cronError(value) === null;
  }
  defaultMessage(args: ValidationArguments) {
    const reason = typeof args.value === 'string' ? cronError(args.value) : null;
    return `must be a cron expression BullMQ accepts: 5 fields, or 6 with leading seconds${reason ? ` (${reason})` : ''}`;
  }
}

/** Why BullMQ would refuse this schedule, by its own parser (cron-parser), or null. */
export function cronError(expression: string): string | null {
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

// --- Trusted proxies (issue 10, HTTP hardening) ---
// What proxy-addr (Fastify's trustProxy) takes: addresses, CIDRs and its three names.
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `CCC_TRUSTED_PROXIES` as a list; null when an entry is not an address, CIDR or name. */
export function parseTrustedProxies(spec: string | undefined): string[] | null {
  if (spec === undefined || spec.trim() === '') return [];
  const entries = spec.split(',').map((e) => e.trim());
  const valid = entries.every(
    (e) => PROXY_NAMES.includes(e) || ipaddr.isValid(e) || ipaddr.isValidCIDR(e),
  );
  return valid ? entries : null;
}

@ValidatorConstraint({ name: 'trustedProxies' })
class TrustedProxiesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && parseTrustedProxies(value) !== null;
  }
  defaultMessage() {
    return `must be comma-separated IP addresses or CIDRs (or ${PROXY_NAMES.join(', ')})`;
  }
}
// --- end trusted proxies ---

/** The environment as the contract names it; every field maps to one variable. */
export class EnvSchema {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ccc';

  @Matches(/^rediss?:\/\/[^,\s]+(,\s*rediss?:\/\/[^,\s]+)*$/, {
    message:
      'must be a redis:// URL (with CCC_REDIS_CLUSTER or CCC_REDIS_SENTINEL_NAME, a comma-separated list)',
  })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Transform(toBool)
  @IsBoolean()
  CCC_REDIS_CLUSTER = false;

  @IsOptional()
  @Matches(/^[\w.-]{1,100}$/, { message: 'must be a Sentinel master group name' })
  CCC_REDIS_SENTINEL_NAME?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(['api', 'worker', 'all'])
  CCC_ROLE: 'api' | 'worker' | 'all' = 'all';

  /** Role all: `auto` runs the API and the worker as two processes on a machine with 2+ cores; `1` in one process. */
  @IsIn(['auto', '1'])
  CCC_PROCESSES: 'auto' | '1' = 'auto';

  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ . : or -' })
  CCC_QUEUE_PREFIX = 'ccc';

  @IsOptional()
  @IsString()
  @Matches(/^.{16,}$/, { message: 'must be at least 16 characters' })
  CCC_BOOTSTRAP_ADMIN_KEY?: string;

  @Validate(SlaSpecConstraint)
  CCC_SLA_ACK_SECONDS = 'critical=900,high=3600,medium=14400,low=86400';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100)
  CCC_ESCALATION_MAX_LEVEL = 3;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  CCC_WEBHOOK_MAX_ATTEMPTS = 8;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  CCC_WEBHOOK_BACKOFF_MS = 1000;

  @Transform(toBool)
  @IsBoolean()
  CCC_WEBHOOK_ALLOW_PRIVATE = false;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CCC_RATE_LIMIT_PER_MINUTE = 6000;

  @Validate(CronConstraint)
  CCC_REPORT_WEEKLY_CRON = '0 0 * * 1';

  @Validate(CronConstraint)
  CCC_REPORT_MONTHLY_CRON = '0 0 1 * *';

  // Trusted proxies (issue 10, HTTP hardening): unset trusts no one's X-Forwarded-For.
  @IsOptional()
  @Validate(TrustedProxiesConstraint)
  CCC_TRUSTED_PROXIES?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s):// URL' })
  @IsOptional()
  CCC_PUBLIC_URL?: string;

  // People and sign-in (issue 11): sessions, second factor, single sign-on.
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_080)
  CCC_SESSION_IDLE_MINUTES = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8_760)
  CCC_SESSION_MAX_HOURS = 12;

  @Matches(/^(none|(analyst|coordinator|admin)(,(analyst|coordinator|admin))*)$/, {
    message: 'must be none or a comma-separated list of analyst, coordinator, admin',
  })
  CCC_REQUIRE_TOTP = 'coordinator,admin';

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http(s):// URL' })
  CCC_OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  CCC_OIDC_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  CCC_OIDC_CLIENT_SECRET?: string;

  @Matches(/^[\w.:/-]{1,200}$/, { message: 'must be a claim name' })
  CCC_OIDC_ROLES_CLAIM = 'ccc_roles';

  /** Worker role only: a port serving GET /metrics (the other roles serve it on PORT); 0 lets the system pick (logged as `listening`). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  CCC_METRICS_PORT?: number;

  // Live events (GET /api/v1/events).
  /** A comment line this often keeps event streams open through proxies. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  CCC_EVENTS_HEARTBEAT_SECONDS = 20;

  /** Open event streams one caller (a key or a person) may hold on one instance. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  CCC_EVENTS_MAX_STREAMS = 10;
  // Attachments (evidence files).
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * 1024 * 1024)
  CCC_ATTACHMENT_MAX_BYTES = 26214400;
  // Interchange (STIX, TAXII, MISP).
  /** Body limit of the import routes (STIX, MISP, TAXII add objects); TAXII's max_content_length. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  CCC_IMPORT_MAX_BYTES = 33554432;

  /** Observables one imported incident may carry (more: that item fails). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CCC_IMPORT_MAX_OBSERVABLES = 20000;

  /** Finished imports (their status resource and items) are purged this long after they finished; TAXII keeps a status at least 24 h. */
  @Transform(toInt)
  @IsInt()
  @Min(24)
  @Max(87_600)
  CCC_IMPORT_RETENTION_HOURS = 168;
  // Secrets at rest (h3-secrets): checked in loadConfig, whose message never quotes the keys.
  /** 32-byte keys in base64, comma-separated: the first seals, every one opens. */
  @IsOptional()
  @IsString()
  CCC_DATA_KEY?: string;

  /** Without CCC_DATA_KEY: a key file made once (mode 0600) outside the database. */
  @IsString()
  CCC_DATA_KEY_FILE = '.ccc/data-key';

  /** Connections of the main PostgreSQL pool per process; the delivery pipeline's is half. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(500)
  CCC_DB_POOL_SIZE = 20;
}
