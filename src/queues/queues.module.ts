import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { BULL_CONNECTION, RedisModule } from '../redis/redis.module.js';
import { QueueName } from './queues.js';

const queues = Object.values(QueueName).map((name) => ({ name }));

/** Registers the queues named in queues.ts on the Redis connection; nothing else. */
@Global()
@Module({
  imports: [
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
  exports: [BullModule, RedisModule],
})
export class QueuesModule {}
