import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ConnectionOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { QueueDrainService } from './queue-drain.service.js';
import { QueueMetrics } from './queue.metrics.js';
import { QueueName } from './queues.js';
import { BULL_CONNECTION, RedisModule } from './redis.module.js';

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
export class QueuesModule {}
