import type { Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const ENQUEUE_WAIT_MS = 2000;

/**
 * A job for one database row (a report, an import), named by a deterministic id so a second
 * enqueue while it waits is a no-op. PostgreSQL is the truth: the row's reconciler enqueues
 * again what never got a job or lost it.
 */
export class OneShotJob<Data extends object> {
  constructor(
    private readonly queue: Queue,
    private readonly name: string,
    private readonly logger: Logger,
    /** What the log says it is, e.g. `Report 5f…`. */
    private readonly label: (data: Data) => string,
  ) {}

  /**
   * Never throws and never waits long: when Redis is away or slow, the row stays as it is
   * and the reconciler enqueues it later.
   */
  async enqueue(id: string, data: Data): Promise<boolean> {
    const add = this.queue
      .add(this.name, data, {
        jobId: id,
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
      if (!added) this.logger.warn(`${this.label(data)} not enqueued yet; the reconciler will`);
      return added;
    } catch (err) {
      this.logger.warn(`${this.label(data)} not enqueued (${String(err)}); the reconciler will`);
      return false;
    } finally {
      add.catch(() => undefined);
    }
  }

  /** Whether the job is waiting or running; a finished one kept under the id is dropped. */
  async isLive(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job) return false;
    if (LIVE_STATES.has(await job.getState())) return true;
    await job.remove().catch(() => undefined);
    return false;
  }
}
