import { Module } from '@nestjs/common';
import { QueueMetrics } from './queue.metrics.js';

/** What operators look at besides the API: the queue-depth gauge (the dashboard is mounted in http.ts). */
@Module({ providers: [QueueMetrics] })
export class OperationsModule {}
