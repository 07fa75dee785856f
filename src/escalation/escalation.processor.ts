import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { DelayedError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { JobName, JobOf, QueueName } from '../queues/queues.js';
import { scheduleHorizonMs, withinHorizon } from './deadlines.js';
import { EscalationJobs } from './escalation-jobs.js';
import { escalationsTotal } from './escalation.metrics.js';
import { EscalationService } from './escalation.service.js';

/** Thin: the database decides; this only re-times the job or chains the next level. */
@Processor(QueueName.Escalations, { concurrency: 8 })
export class EscalationProcessor extends WorkerHost {
  private readonly horizonMs: number;

  constructor(
    private readonly escalation: EscalationService,
    private readonly jobs: EscalationJobs,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.horizonMs = scheduleHorizonMs(config.slaAckSeconds);
  }

  async process(job: JobOf<QueueName.Escalations>, token?: string): Promise<string> {
    if (job.name !== JobName.Escalate) {
      throw new Error(`unknown job ${(job as { name: string }).name} on ${QueueName.Escalations}`);
    }
    const outcome = await this.escalation.escalate(job.data.dispatchId, job.data.level);
    if (outcome.kind === 'not-due') {
      // The deadline moved later (severity change, or a clock a little ahead of PostgreSQL's).
      await job.moveToDelayed(Math.max(outcome.deadline.getTime(), Date.now() + 50), token);
      throw new DelayedError();
    }
    if (outcome.kind === 'escalated') {
      escalationsTotal.inc({ path: 'job' });
      const next = outcome.nextDeadline;
      if (next && withinHorizon(next, Date.now(), this.horizonMs)) {
        await this.jobs.enqueue([
          { dispatchId: outcome.dispatchId, level: outcome.level, deadline: next },
        ]);
      }
    }
    return outcome.kind;
  }
}
