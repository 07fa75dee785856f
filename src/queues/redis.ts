import { Logger } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.js';

/** A single-endpoint client or a Redis Cluster client: the commands the service uses are on both. */
export type RedisClient = Redis | Cluster;

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

/**
 * A client for `REDIS_URL`. With `CCC_REDIS_CLUSTER`, a Cluster client seeded with every URL
 * listed (it discovers the other nodes itself); credentials and TLS come from the first.
 * Every key of a deployment carries the `{prefix}` hash tag, so BullMQ's multi-key scripts
 * and the service's own ones run within one slot.
 */
export function createRedis(
  config: Pick<AppConfig, 'redisUrl' | 'redisCluster'>,
  purpose: 'worker' | 'producer',
): RedisClient {
  if (!config.redisCluster) return new Redis(redisOptions(config.redisUrl, purpose));
  const urls = config.redisUrl.split(',').map((u) => u.trim());
  const nodes = urls.map((u) => {
    const { host, port, db } = redisOptions(u, purpose);
    if (db) throw new Error(`Redis Cluster has no database ${db} (${u}): drop the /${db}`);
    return { host: host!, port: port! };
  });
  const { enableOfflineQueue, ...options } = redisOptions(urls[0], purpose);
  delete options.host;
  delete options.port;
  delete options.db;
  return new Cluster(nodes, { redisOptions: options, enableOfflineQueue });
}

/** BullMQ loses jobs when Redis evicts keys; warn loudly rather than fail. */
export async function warnUnlessNoEviction(redis: RedisClient, logger: Logger): Promise<void> {
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
