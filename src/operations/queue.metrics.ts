import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { registry } from '../metrics/metrics.js';
import { QueueName } from '../queues/queues.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape never waits longer than this for Redis (workers' clients queue while it is down). */
const SCRAPE_TIMEOUT_MS = 1_000;

const sources = new Set<Queue>();

/** Read from Redis at each scrape, so every role (and every instance) reports the same depths. */
export const queueJobs = new Gauge({
  name: 'ccc_queue_jobs',
  help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed), read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await Promise.all(
      [...sources].map(async (queue) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), SCRAPE_TIMEOUT_MS);
        });
        const counts = await Promise.race([
          queue.getJobCounts(...STATES).catch(() => null),
          timeout,
        ]);
        clearTimeout(timer);
        // Redis unreachable: no sample rather than a misleading zero.
        if (!counts) return;
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }),
    );
  },
});

/** Hands the registered queues to the gauge. */
@Injectable()
export class QueueMetrics implements OnModuleDestroy {
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QueueName.Notifications) notifications: Queue,
    @InjectQueue(QueueName.Escalations) escalations: Queue,
    @InjectQueue(QueueName.Reports) reports: Queue,
    @InjectQueue(QueueName.Imports) imports: Queue,
  ) {
    this.queues = [notifications, escalations, reports, imports];
    for (const queue of this.queues) sources.add(queue);
  }

  onModuleDestroy() {
    for (const queue of this.queues) sources.delete(queue);
  }
}
