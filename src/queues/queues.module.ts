import { BullModule } from '@nestjs/bullmq';
import {
  Global,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { QueueDrainService } from './queue-drain.service.js';
import { QueueMetrics } from './queue.metrics.js';
import { QueueName } from './queues.js';
import { redisOptions, warnUnlessNoEviction } from './redis.js';

/** A plain client for the service's own Redis use (rate limits, readiness). */
export const REDIS = Symbol('REDIS');

const queues = Object.values(QueueName).map((name) => ({ name }));

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.redisUrl, 'worker'),
        prefix: config.queuePrefix,
      }),
    }),
    BullModule.registerQueue(...queues),
  ],
  providers: [
    QueueDrainService,
    QueueMetrics,
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new Redis(redisOptions(config.redisUrl, 'producer')),
    },
  ],
  exports: [BullModule, REDIS],
})
export class QueuesModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

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

  async onApplicationShutdown() {
    this.redis.disconnect();
  }
}
