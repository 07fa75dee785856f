import { Processor, WorkerHost } from '@nestjs/bullmq';
import { JobName, JobOf, QueueName } from '../queues/queues.js';
import { ReportGenerator } from './report-generator.service.js';
import { ReportSchedules } from './report-schedules.service.js';

@Processor(QueueName.Reports, { concurrency: 2 })
export class ReportsProcessor extends WorkerHost {
  constructor(
    private readonly generator: ReportGenerator,
    private readonly schedules: ReportSchedules,
  ) {
    super();
  }

  async process(job: JobOf<QueueName.Reports>): Promise<unknown> {
    switch (job.name) {
      case JobName.GenerateReport:
        return this.generator.generate(job.data.reportId);
      case JobName.ScheduledReport:
        // prevMillis is the scheduler's fire time; the period is relative to it, not to now.
        return this.schedules.onFire(job.data.kind, new Date(job.opts.prevMillis ?? job.timestamp));
      default:
        throw new Error(`unknown job ${(job as { name: string }).name} on ${QueueName.Reports}`);
    }
  }
}
