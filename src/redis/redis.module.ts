import {
  Global,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { connectionOptions, createRedis, RedisClient, warnUnlessNoEviction } from './redis.js';

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
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(BULL_CONNECTION) private readonly bull: ConnectionOptions,
  ) {}

  async onModuleInit() {
    // The producer client has no offline queue: wait for it before the first command.
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        this.redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await warnUnlessNoEviction(this.redis, this.logger);
  }

  /** After the queue workers have drained (QueueDrainService, beforeApplicationShutdown). */
  onApplicationShutdown() {
    this.redis.disconnect();
    if (this.bull instanceof Cluster) this.bull.disconnect();
  }
}
