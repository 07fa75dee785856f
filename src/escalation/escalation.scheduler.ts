import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../background/background-loop.js';
import { RedisLease } from '../background/leases.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.js';
import { scheduleHorizonMs, withinHorizon } from './deadlines.js';
import { EscalationJobs } from './escalation-jobs.js';
import {
  escalationsTotal,
  schedulerJobsAdded,
  schedulerTickSeconds,
} from './escalation.metrics.js';
import { EscalationService } from './escalation.service.js';

const TICK_MS = 500;
const LEASE_MS = 5_000;
const BATCH = 500;
/** Tick interval while a backlog of deadlines inside the horizon is being scheduled. */
const BACKLOG_TICK_MS = 50;
/** A due dispatch no job escalated within this long is escalated by the sweep itself. */
const SWEEP_GRACE_MS = 250;
const SWEEP_BATCH = 500;
const SWEEP_CONCURRENCY = 4;
const WARN_EVERY_MS = 30_000;

interface DeadlineRow {
  id: string;
  level: number;
  ack_deadline: Date;
  /** Full-precision text of the deadline (a JS Date drops the microseconds). */
  mark: string;
}

/**
 * The escalation loop of the worker role, every TICK_MS:
 * - scheduler (one instance at a time, by a Redis lease): deadlines entering the next
 *   horizon (scheduleHorizonMs) become delayed jobs. A watermark remembers how far it got, so a
 *   tick reads only the deadlines that entered the horizon since the last one; gaining the
 *   lease (start, failover, Redis flush) resets it and re-schedules the whole horizon.
 * - reconciler (every instance): a deadline already past by SWEEP_GRACE_MS that no job
 *   escalated (Redis lost it, or the deadline was set inside the scanned horizon) is
 *   escalated directly. The conditional UPDATE makes the overlap with jobs harmless.
 */
@Injectable()
export class EscalationScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EscalationScheduler.name);
  private readonly lease: RedisLease;
  private readonly horizonMs: number;
  private watermark: string | null = null;
  private readonly loop: BackgroundLoop;
  private readonly warnedAt = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly escalation: EscalationService,
    private readonly jobs: EscalationJobs,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.lease = new RedisLease(
      redis,
      `${config.queuePrefix}:escalation:scheduler-lease`,
      LEASE_MS,
    );
    this.horizonMs = scheduleHorizonMs(config.slaAckSeconds);
    this.loop = new BackgroundLoop(
      { name: EscalationScheduler.name, intervalMs: TICK_MS },
      async (context) => {
        const started = Date.now();
        const backlog = await this.tick(() => context.stopping);
        // Working off a backlog, rest as long as the tick took: due jobs run in this
        // process too and get at least half of its time.
        return backlog ? Math.max(BACKLOG_TICK_MS, Date.now() - started) : TICK_MS;
      },
    );
  }

  onApplicationBootstrap() {
    this.loop.start();
  }

  /** Before the database and Redis clients close: finish the tick, hand the lease over. */
  async beforeApplicationShutdown() {
    await this.loop.stop();
    await this.lease.release().catch(() => undefined);
  }

  /** One pass; resolves true when the horizon still holds deadlines not yet scheduled. */
  async tick(stopping: () => boolean = () => false): Promise<boolean> {
    const end = schedulerTickSeconds.startTimer();
    let backlog = false;
    try {
      // The scheduling half runs on one instance (the lease); the sweep below on every one.
      const lease = await this.lease.hold();
      if (lease === 'acquired') this.watermark = null;
      if (lease !== null) backlog = await this.scheduleHorizon();
    } catch (err) {
      this.warn('schedule', `Escalation scheduling failed: ${String(err)}`);
    }
    try {
      await this.sweepOverdue(stopping);
    } catch (err) {
      this.warn('sweep', `Escalation sweep failed: ${String(err)}`);
    }
    end();
    return backlog;
  }

  /** At most one warning per kind every WARN_EVERY_MS: an outage would otherwise log twice a second. */
  private warn(kind: string, message: string) {
    const now = Date.now();
    if (now - (this.warnedAt.get(kind) ?? 0) < WARN_EVERY_MS) return;
    this.warnedAt.set(kind, now);
    this.logger.warn(message);
  }

  /**
   * Hands the next BATCH deadlines in (watermark, now + horizon] to BullMQ, nearest first.
   * One batch per tick: a large horizon (first start, failover, flush) is worked off over
   * several short ticks, so the jobs already due keep running in between.
   */
  private async scheduleHorizon(): Promise<boolean> {
    const upper = new Date(Date.now() + this.horizonMs).toISOString();
    let rows = await this.deadlines('ack_deadline <= $1::timestamptz', upper, BATCH);
    const full = rows.length === BATCH;
    if (full) {
      // Cut at the last deadline and take all rows sharing it, so none is skipped.
      const last = rows[rows.length - 1].mark;
      rows = rows.filter((r) => r.mark !== last);
      rows.push(...(await this.deadlines('ack_deadline = $1::timestamptz', last)));
    }
    await this.jobs.enqueue(
      rows.map((r) => ({ dispatchId: r.id, level: r.level, deadline: r.ack_deadline })),
    );
    schedulerJobsAdded.inc(rows.length);
    this.watermark = full ? rows[rows.length - 1].mark : upper;
    return full;
  }

  private deadlines(condition: string, bound: string, limit?: number): Promise<DeadlineRow[]> {
    return sql<DeadlineRow>(
      this.dataSource,
      `SELECT id, escalation_level AS level, ack_deadline, ack_deadline::text AS mark
         FROM dispatches
        WHERE ${condition} AND ($2::timestamptz IS NULL OR ack_deadline > $2::timestamptz)
        ORDER BY ack_deadline ${limit ? 'LIMIT ' + String(limit) : ''}`,
      [bound, this.watermark],
    );
  }

  /** Escalates what is overdue in PostgreSQL, whatever happened to its job. */
  private async sweepOverdue(stopping: () => boolean): Promise<void> {
    const due = await sql<{ id: string; level: number }>(
      this.dataSource,
      `SELECT id, escalation_level AS level FROM dispatches
        WHERE ack_deadline <= now() - make_interval(secs => $1)
        ORDER BY ack_deadline LIMIT $2`,
      [SWEEP_GRACE_MS / 1000, SWEEP_BATCH],
    );
    let next = 0;
    const worker = async () => {
      while (next < due.length && !stopping()) {
        const row = due[next++];
        let outcome;
        try {
          outcome = await this.escalation.escalate(row.id, row.level);
        } catch (err) {
          this.warn('escalate', `Escalating dispatch ${row.id} failed: ${String(err)}`);
          continue;
        }
        if (outcome.kind !== 'escalated') continue;
        escalationsTotal.inc({ path: 'sweep' });
        if (withinHorizon(outcome.nextDeadline, Date.now(), this.horizonMs)) {
          // Best effort: without Redis the next level is swept up like this one.
          await this.jobs
            .enqueue([
              { dispatchId: row.id, level: outcome.level, deadline: outcome.nextDeadline! },
            ])
            .catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }
}
