import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DeliverJob, JOB_PRESETS, jobId, JobName, QueueName } from '../queues/queues.js';

export interface DueDelivery {
  id: string;
  /** `deliveries.next_attempt_at`: names the job and sets its delay. */
  dueAt: Date;
}

/** Puts deliveries on the notifications queue; the same (delivery, due time) is one job. */
@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(QueueName.Notifications) private readonly queue: Queue) {}

  async enqueue(items: DueDelivery[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      items.map((item) => ({
        name: JobName.Deliver,
        data: { deliveryId: item.id } satisfies DeliverJob,
        opts: {
          ...JOB_PRESETS.oneShot,
          jobId: jobId.deliver(item.id, item.dueAt.getTime()),
          delay: Math.max(0, item.dueAt.getTime() - now),
        },
      })),
    );
  }

  /**
   * For deliveries the database says are overdue: a waiting, delayed or active job is
   * left alone; a finished one (kept for a while under the same id) is replaced, since
   * adding over it would be a no-op.
   */
  async requeue(items: DueDelivery[]): Promise<number> {
    const missing: DueDelivery[] = [];
    for (const item of items) {
      const job = await this.queue.getJob(jobId.deliver(item.id, item.dueAt.getTime()));
      if (job) {
        const state = await job.getState();
        if (state !== 'completed' && state !== 'failed') continue;
        await job.remove().catch(() => undefined);
      }
      missing.push(item);
    }
    await this.enqueue(missing);
    return missing.length;
  }
}
