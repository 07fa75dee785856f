import { Processor, WorkerHost } from '@nestjs/bullmq';
import { JobName, JobOf, QueueName } from '../queues/queues.js';
import { ImportRunner } from './import-runner.service.js';

@Processor(QueueName.Imports, { concurrency: 1 })
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
