import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { DeliverJob, JobName, QueueName } from '../queues/queues.js';
import { DeliveryAttemptsService } from './delivery-attempts.service.js';

/** Deliveries are I/O-bound (HTTP, SMTP): many run at once per worker. */
@Processor(QueueName.Notifications, { concurrency: 32 })
export class DeliveryProcessor extends WorkerHost {
  constructor(private readonly attempts: DeliveryAttemptsService) {
    super();
  }

  async process(job: Job): Promise<void> {
    switch (job.name as JobName) {
      case JobName.Deliver:
        return this.attempts.attempt((job.data as DeliverJob).deliveryId);
      default:
        throw new Error(`unknown job ${job.name} on ${QueueName.Notifications}`);
    }
  }
}
