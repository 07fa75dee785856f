import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { OneShotJob } from '../queues/one-shot-job.js';
import { GenerateReportJob, JobName, jobId, QueueName } from '../queues/queues.js';

/** Puts report generation on the queue. PostgreSQL is the truth: the reconciler re-drives. */
@Injectable()
export class ReportQueue {
  private readonly job: OneShotJob<GenerateReportJob>;

  constructor(@InjectQueue(QueueName.Reports) queue: Queue) {
    this.job = new OneShotJob(
      queue,
      JobName.GenerateReport,
      new Logger(ReportQueue.name),
      (d) => `Report ${d.reportId}`,
    );
  }

  /** A job already waiting for the report makes this a no-op; never throws (OneShotJob). */
  enqueue(reportId: string): Promise<boolean> {
    return this.job.enqueue(jobId.report(reportId), { reportId });
  }

  /** Whether a job for the report is waiting or running. */
  isLive(reportId: string): Promise<boolean> {
    return this.job.isLive(jobId.report(reportId));
  }
}
