import { Logger } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';

/**
 * Workers block on Redis and must wait out outages (maxRetriesPerRequest: null);
 * producers on the request path fail fast instead of queueing commands offline.
 */
export function redisOptions(url: string, purpose: 'worker' | 'producer'): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    ...(purpose === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }),
  };
}

/** BullMQ loses jobs when Redis evicts keys; warn loudly rather than fail. */
export async function warnUnlessNoEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      logger.warn(
        `Redis maxmemory-policy is "${policy}", not "noeviction": Redis may evict queued jobs (PostgreSQL still re-drives them)`,
      );
    }
  } catch {
    logger.warn('Could not read Redis maxmemory-policy (CONFIG GET refused)');
  }
}
