import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { JobName, QueueName, ScheduledReportJob } from '../queues/queues.js';
import { scheduledPeriod } from './report-periods.js';
import { ReportQueue } from './report-queue.js';

export const SCHEDULER_IDS = { weekly: 'report-weekly', monthly: 'report-monthly' } as const;

/**
 * Weekly and monthly community reports. BullMQ job schedulers fire; a fire only inserts
 * the period's row. The unique index on (kind, period_from, audience) makes that happen
 * once per period however many instances run or however often the schedule fires.
 */
@Injectable()
export class ReportSchedules {
  private readonly logger = new Logger(ReportSchedules.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly reportQueue: ReportQueue,
    @InjectQueue(QueueName.Reports) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Upserting is idempotent, so every worker instance does it, at start and on each
   * reconciler pass (a Redis flush also removes the schedulers).
   */
  async ensure(): Promise<void> {
    const schedules = [
      ['weekly', this.config.reportWeeklyCron],
      ['monthly', this.config.reportMonthlyCron],
    ] as const;
    for (const [kind, pattern] of schedules) {
      await this.queue.upsertJobScheduler(
        SCHEDULER_IDS[kind],
        { pattern, tz: 'UTC' },
        {
          name: JobName.ScheduledReport,
          data: { kind } satisfies ScheduledReportJob,
          opts: { removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 100 } },
        },
      );
    }
  }

  /** Creates the community report of the period before `firedAt`, unless it exists. */
  async onFire(kind: 'weekly' | 'monthly', firedAt: Date): Promise<string | null> {
    const period = scheduledPeriod(kind, firedAt);
    const id = await this.dataSource.transaction(async (manager) => {
      const [row] = await sql<{ id: string }>(
        manager,
        `INSERT INTO reports (kind, period_from, period_to, audience, status, requested_by)
         VALUES ($1, $2, $3, 'community', 'queued', $4)
         ON CONFLICT (kind, period_from, audience) WHERE kind <> 'on-demand' DO NOTHING
         RETURNING id`,
        [kind, period.from, period.to, SYSTEM_ACTOR],
      );
      if (!row) return null;
      await this.audit.append(manager, {
        actor: SYSTEM_ACTOR,
        action: 'report.scheduled',
        targetType: 'report',
        targetId: row.id,
        change: { kind, from: period.from.toISOString(), to: period.to.toISOString() },
      });
      return row.id;
    });
    if (id) {
      this.logger.log(`Scheduled ${kind} report ${id} for ${period.from.toISOString()}`);
      await this.reportQueue.enqueue(id);
    }
    return id;
  }
}
