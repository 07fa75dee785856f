import { Processor, WorkerHost } from '@nestjs/bullmq';
import { JobName, JobOf, QueueName } from '../queues/queues.js';
import { ImportRunner } from './import-runner.service.js';

/**
 * One import at a time per worker. A worker that died mid-import leaves its job active: its
 * lock runs out after 15 s and the stalled check (every 5 s) hands it to a live worker, which
 * resumes after the last recorded item. Running an item twice is harmless (the item's and the
 * version record's keys refuse the second), so a short lock costs nothing.
 */
@Processor(QueueName.Imports, { concurrency: 1, lockDuration: 15_000, stalledInterval: 5_000 })
export class ImportsProcessor extends WorkerHost {
  constructor(private readonly runner: ImportRunner) {
    super();
  }

  async process(job: JobOf<QueueName.Imports>): Promise<unknown> {
    switch (job.name) {
      case JobName.RunImport:
        return this.runner.run(job.data.importId);
      default:
        throw new Error(`unknown job ${(job as { name: string }).name} on ${QueueName.Imports}`);
    }
  }
}
