import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { REDIS } from './redis.module.js';
import type { RedisClient } from './redis.js';
import { AuthedRequest } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { msg } from '../i18n/i18n.js';

// Fixed one-minute window per key, counted in Redis so every instance shares it.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}`;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [hits, pttl] = (await this.redis.eval(
      INCREMENT,
      1,
      `${this.config.queuePrefix}:ratelimit:${key}`,
      ttl,
    )) as [number, number];
    const timeToExpire = Math.max(1, Math.ceil(pttl / 1000));
    const isBlocked = hits > limit;
    return {
      totalHits: hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }
}

/** Limits each API key (not each IP) across all routes; unauthenticated routes are not limited. */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    return !request.principal;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return (request as unknown as AuthedRequest).principal!.keyId;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // A principal remembered by the guard (KeyCheckedOnWrite) is verified before a refusal.
    const { pendingKeyCheck } = context.switchToHttp().getRequest<AuthedRequest>();
    if (pendingKeyCheck && !(await pendingKeyCheck())) throw Problem.unauthorized();
    throw new Problem(
      429,
      'rate-limited',
      msg('problem.rateLimited', { limit: detail.limit }),
      undefined,
      { 'Retry-After': String(detail.timeToBlockExpire) },
    );
  }
}
