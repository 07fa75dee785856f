import { Logger } from '@nestjs/common';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config.js';

/** A single-endpoint (or Sentinel) client or a Cluster client: the service's commands are on both. */
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

/** Host and port of each URL in a comma-separated `REDIS_URL`. */
function endpoints(urls: string[]): { host: string; port: number }[] {
  return urls.map((u) => {
    const parsed = new URL(u);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
}

/**
 * Options for a client of a single endpoint, or, with `CCC_REDIS_SENTINEL_NAME`, of the
 * current primary of that Sentinel group: `REDIS_URL` then lists the Sentinels, and the
 * first URL's credentials, TLS and database are the primary's. After a failover ioredis
 * asks the Sentinels again and follows the new primary.
 */
export function connectionOptions(
  config: Pick<AppConfig, 'redisUrl' | 'redisSentinelName'>,
  purpose: 'worker' | 'producer',
): RedisOptions {
  const urls = config.redisUrl.split(',').map((u) => u.trim());
  const options = redisOptions(urls[0], purpose);
  if (!config.redisSentinelName) return options;
  delete options.host;
  delete options.port;
  return {
    ...options,
    sentinels: endpoints(urls),
    name: config.redisSentinelName,
    // Reconnect on the Sentinels' +switch-master at once: a manual failover leaves the old
    // primary writable for seconds, and what is written there is lost when it is demoted.
    failoverDetector: true,
    // A write that reaches a demoted primary before it dropped us: reconnect, ask again.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/**
 * A client for `REDIS_URL`. With `CCC_REDIS_CLUSTER`, a Cluster client seeded with every URL
 * listed (it discovers the other nodes itself); credentials and TLS come from the first.
 * Every key of a deployment carries the `{prefix}` hash tag, so BullMQ's multi-key scripts
 * and the service's own ones run within one slot.
 */
export function createRedis(
  config: Pick<AppConfig, 'redisUrl' | 'redisCluster' | 'redisSentinelName'>,
  purpose: 'worker' | 'producer',
): RedisClient {
  if (!config.redisCluster) return new Redis(connectionOptions(config, purpose));
  const urls = config.redisUrl.split(',').map((u) => u.trim());
  for (const u of urls) {
    const { db } = redisOptions(u, purpose);
    if (db) throw new Error(`Redis Cluster has no database ${db} (${u}): drop the /${db}`);
  }
  const { enableOfflineQueue, ...options } = redisOptions(urls[0], purpose);
  delete options.host;
  delete options.port;
  delete options.db;
  return new Cluster(endpoints(urls), { redisOptions: options, enableOfflineQueue });
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
