import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EscalateJob, JOB_PRESETS, jobId, JobName, QueueName } from '../queues/queues.js';
import { jobDelay } from './deadlines.js';

export interface PendingDeadline {
  dispatchId: string;
  level: number;
  deadline: Date;
}

/** Delayed jobs, one per (dispatch, level); the deterministic id makes a repeat a no-op. */
@Injectable()
export class EscalationJobs {
  constructor(@InjectQueue(QueueName.Escalations) private readonly queue: Queue<EscalateJob>) {}

  async enqueue(deadlines: PendingDeadline[]): Promise<void> {
    if (deadlines.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      deadlines.map((d) => ({
        name: JobName.Escalate,
        data: { dispatchId: d.dispatchId, level: d.level },
        opts: {
          ...JOB_PRESETS.retried,
          jobId: jobId.escalate(d.dispatchId, d.level),
          delay: jobDelay(d.deadline, now),
        },
      })),
    );
  }
}
