import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { sql } from '../common/sql.js';
import { ReportQueue } from './report-queue.js';
import { ReportSchedules } from './report-schedules.service.js';

const INTERVAL_MS = 30_000;
const FIRST_RUN_MS = 2_000;
const BATCH = 100;

/**
 * Re-drives reports that PostgreSQL says are queued or running but that have no live job
 * (Redis flushed, enqueue failed, worker gone with its job): nothing requested is lost.
 * Also (re)installs the weekly and monthly job schedulers. It never blocks start-up.
 */
@Injectable()
export class ReportsReconciler extends LoopingService {
  private readonly logger = new Logger(ReportsReconciler.name);
  protected readonly loop = new BackgroundLoop(
    { name: ReportsReconciler.name, intervalMs: INTERVAL_MS, firstRunMs: FIRST_RUN_MS },
    () => this.run(),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly reportQueue: ReportQueue,
    private readonly schedules: ReportSchedules,
  ) {
    super();
  }

  private async run() {
    try {
      await this.schedules.ensure();
    } catch (err) {
      this.logger.warn(`Report schedules not installed yet: ${String(err)}`);
    }
    const n = await this.reconcile();
    if (n > 0) this.logger.warn(`Re-enqueued ${n} report(s) that had no live job`);
  }

  /** Returns how many reports it re-enqueued. */
  async reconcile(): Promise<number> {
    // A few seconds' grace: a request commits its row before it enqueues.
    const rows = await sql<{ id: string; status: string }>(
      this.dataSource,
      `SELECT id, status FROM reports
        WHERE status IN ('queued', 'running') AND created_at < now() - interval '5 seconds'
        ORDER BY created_at LIMIT $1`,
      [BATCH],
    );
    let requeued = 0;
    for (const row of rows) {
      if (await this.reportQueue.isLive(row.id)) continue;
      if (row.status === 'running') {
        // Its job is gone: the run died. Back to queued, unless it finished meanwhile.
        const back = await sql(
          this.dataSource,
          `UPDATE reports SET status = 'queued' WHERE id = $1 AND status = 'running' RETURNING id`,
          [row.id],
        );
        if (back.length === 0) continue;
      }
      if (await this.reportQueue.enqueue(row.id)) requeued += 1;
    }
    return requeued;
  }
}
