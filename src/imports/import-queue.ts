import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobName, jobId, QueueName, RunImportJob } from '../queues/queues.js';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const ENQUEUE_WAIT_MS = 2000;

/**
 * Puts an import on the queue (the job carries its id only). PostgreSQL is the truth: an
 * import whose enqueue failed, or whose job died, is re-driven by ImportsReconciler.
 */
@Injectable()
export class ImportQueue {
  private readonly logger = new Logger(ImportQueue.name);

  constructor(@InjectQueue(QueueName.Imports) private readonly queue: Queue) {}

  /** Never throws and never waits long; a job already waiting for the import makes it a no-op. */
  async enqueue(importId: string): Promise<boolean> {
    const add = this.queue
      .add(JobName.RunImport, { importId } satisfies RunImportJob, {
        jobId: jobId.runImport(importId),
        attempts: 1,
        // Finished jobs leave no trace, so the reconciler can reuse the deterministic id.
        removeOnComplete: true,
        removeOnFail: true,
      })
      .then(() => true);
    const timeout = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), ENQUEUE_WAIT_MS).unref(),
    );
    try {
      const added = await Promise.race([add, timeout]);
      if (!added) this.logger.warn(`Import ${importId} not enqueued yet; the reconciler will`);
      return added;
    } catch (err) {
      this.logger.warn(`Import ${importId} not enqueued (${String(err)}); the reconciler will`);
      return false;
    } finally {
      add.catch(() => undefined);
    }
  }

  /** Whether a job for the import is waiting or running. */
  async isLive(importId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId.runImport(importId));
    if (!job) return false;
    if (LIVE_STATES.has(await job.getState())) return true;
    await job.remove().catch(() => undefined);
    return false;
  }
}
