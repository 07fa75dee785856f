import { Transform } from 'class-transformer';
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
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

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
    if (typeof value !== 'string') return false;
    const fields = value.trim().split(/\s+/);
    return (
      (fields.length === 5 || fields.length === 6) &&
      fields.every((f) => /^[\d*/,\-A-Za-z?LW#]+$/.test(f))
    );
  }
  defaultMessage() {
    return 'must be a cron expression of 5 fields (or 6 with leading seconds)';
  }
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function parseSla(spec: string): Record<Severity, number> | null {
  const out: Partial<Record<Severity, number>> = {};
  for (const part of spec.split(',')) {
    const m = /^\s*(critical|high|medium|low)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) return null;
    const seconds = Number(m[2]);
    if (seconds < 1) return null;
    out[m[1] as Severity] = seconds;
  }
  return SEVERITIES.every((s) => out[s] !== undefined) ? (out as Record<Severity, number>) : null;
}

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

  /** Worker role only: a port serving GET /metrics (the other roles serve it on PORT). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  CCC_METRICS_PORT?: number;

  // Secrets at rest (h3-secrets): checked in loadConfig, whose message never quotes the keys.
  /** 32-byte keys in base64, comma-separated: the first seals, every one opens. */
  @IsOptional()
  @IsString()
  CCC_DATA_KEY?: string;

  /** Without CCC_DATA_KEY: a key file made once (mode 0600) outside the database. */
  @IsString()
  CCC_DATA_KEY_FILE = '.ccc/data-key';
}
