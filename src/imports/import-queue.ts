import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { OneShotJob } from '../queues/one-shot-job.js';
import { JobName, jobId, QueueName, RunImportJob } from '../queues/queues.js';

/**
 * Puts an import on the queue (the job carries its id only). PostgreSQL is the truth: an
 * import whose enqueue failed, or whose job died, is re-driven by ImportsReconciler.
 */
@Injectable()
export class ImportQueue {
  private readonly job: OneShotJob<RunImportJob>;

  constructor(@InjectQueue(QueueName.Imports) queue: Queue) {
    this.job = new OneShotJob(
      queue,
      JobName.RunImport,
      new Logger(ImportQueue.name),
      (d) => `Import ${d.importId}`,
    );
  }

  /** A job already waiting for the import makes this a no-op; never throws (OneShotJob). */
  enqueue(importId: string): Promise<boolean> {
    return this.job.enqueue(jobId.runImport(importId), { importId });
  }

  /** Whether a job for the import is waiting or running. */
  isLive(importId: string): Promise<boolean> {
    return this.job.isLive(jobId.runImport(importId));
  }
}
