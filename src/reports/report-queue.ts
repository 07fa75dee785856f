import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { GenerateReportJob, JobName, jobId, QueueName } from '../queues/queues.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const ENQUEUE_WAIT_MS = 2000;

/** Puts report generation on the queue. PostgreSQL is the truth: the reconciler re-drives. */
@Injectable()
export class ReportQueue {
  private readonly logger = new Logger(ReportQueue.name);

  constructor(@InjectQueue(QueueName.Reports) private readonly queue: Queue) {}

  /**
   * Never throws and never waits long: when Redis is away the row stays `queued` and the
   * reconciler enqueues it later. A job already waiting for the report makes this a no-op.
   */
  async enqueue(reportId: string): Promise<boolean> {
    const add = this.queue
      .add(JobName.GenerateReport, { reportId } satisfies GenerateReportJob, {
        jobId: jobId.report(reportId),
        attempts: 1,
        // Finished jobs leave no trace, so a later retry can reuse the deterministic id.
        removeOnComplete: true,
        removeOnFail: true,
      })
      .then(() => true);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), ENQUEUE_WAIT_MS).unref(),
    );
    try {
      const added = await Promise.race([add, timeout]);
      if (!added)
        this.logger.warn(`Report ${reportId} not enqueued yet (Redis slow); the reconciler will`);
      return added;
    } catch (err) {
      this.logger.warn(`Report ${reportId} not enqueued (${String(err)}); the reconciler will`);
      return false;
    } finally {
      add.catch(() => undefined);
    }
  }

  /** Whether a job for the report is waiting or running. */
  async isLive(reportId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId.report(reportId));
    if (!job) return false;
    const state = await job.getState();
    if (LIVE_STATES.has(state)) return true;
    // A finished job kept by an older option set blocks the id; drop it.
    await job.remove().catch(() => undefined);
    return false;
  }
}
