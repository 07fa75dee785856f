import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { connectionOptions, createRedis, RedisClient } from './redis.js';

/** A plain client for the service's own Redis use (rate limits, leases, readiness). */
export const REDIS = Symbol('REDIS');
/** What BullMQ connects with: options (it opens its own clients) or, on a cluster, a client. */
export const BULL_CONNECTION = Symbol('BULL_CONNECTION');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedis(config, 'producer'),
    },
    {
      provide: BULL_CONNECTION,
      inject: [APP_CONFIG],
      // BullMQ takes a Cluster only as a client; its workers duplicate it for blocking reads.
      useFactory: (config: AppConfig): ConnectionOptions =>
        config.redisCluster ? createRedis(config, 'worker') : connectionOptions(config, 'worker'),
    },
  ],
  exports: [REDIS, BULL_CONNECTION],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(BULL_CONNECTION) private readonly bull: ConnectionOptions,
  ) {}

  /** After the queue workers have drained (QueueDrainService, beforeApplicationShutdown). */
  onApplicationShutdown() {
    this.redis.disconnect();
    if (this.bull instanceof Cluster) this.bull.disconnect();
  }
}
