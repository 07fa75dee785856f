import { Processor, WorkerHost } from '@nestjs/bullmq';
import { JobName, JobOf, QueueName } from '../queues/queues.js';
import { DeliveryAttemptsService } from './delivery-attempts.service.js';

/** Deliveries are I/O-bound (HTTP, SMTP): many run at once per worker. */
@Processor(QueueName.Notifications, { concurrency: 32 })
export class DeliveryProcessor extends WorkerHost {
  constructor(private readonly attempts: DeliveryAttemptsService) {
    super();
  }

  async process(job: JobOf<QueueName.Notifications>): Promise<void> {
    switch (job.name) {
      case JobName.Deliver:
        return this.attempts.attempt(job.data.deliveryId);
      default:
        throw new Error(
          `unknown job ${(job as { name: string }).name} on ${QueueName.Notifications}`,
        );
    }
  }
}
