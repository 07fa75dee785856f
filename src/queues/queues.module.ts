import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ConnectionOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { QueueDrainService } from './queue-drain.service.js';
import { QueueMetrics } from './queue.metrics.js';
import { QueueName } from './queues.js';
import { RedisClient, warnUnlessNoEviction } from './redis.js';
import { BULL_CONNECTION, REDIS, RedisModule } from './redis.module.js';

export { REDIS } from './redis.module.js';

const queues = Object.values(QueueName).map((name) => ({ name }));

@Global()
@Module({
  imports: [
    DiscoveryModule,
    RedisModule,
    BullModule.forRootAsync({
      imports: [RedisModule],
      inject: [APP_CONFIG, BULL_CONNECTION],
      useFactory: (config: AppConfig, connection: ConnectionOptions) => ({
        connection,
        prefix: config.queuePrefix,
      }),
    }),
    BullModule.registerQueue(...queues),
  ],
  providers: [QueueDrainService, QueueMetrics],
  exports: [BullModule, RedisModule],
})
export class QueuesModule implements OnModuleInit {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

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
}
