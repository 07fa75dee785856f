import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { PgAdvisoryLease } from '../background/leases.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { NOTIFICATIONS_DB } from './notifications.db.js';
import { DeliveryQueue } from './delivery.queue.js';
import { OutboxRelay } from './outbox.relay.js';

const SWEEP_MS = 5_000;
/** A due delivery whose job has not run for this long is taken as lost. */
const OVERDUE_SECONDS = 10;
const BATCH = 500;
const SWEEP_LOCK = 727_274_011;

/**
 * The safety net: PostgreSQL is the truth, so pending deliveries whose jobs were lost
 * (process killed, Redis flushed) are queued again, and unpublished outbox rows relayed.
 * One instance sweeps at a time (an advisory lease); the first sweep after taking the lease
 * takes whatever is due now (jobs may have vanished while nothing ran).
 */
@Injectable()
export class DeliverySweeper extends LoopingService {
  private readonly logger = new Logger(DeliverySweeper.name);
  protected readonly loop: BackgroundLoop;

  constructor(
    @InjectDataSource(NOTIFICATIONS_DB) private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.loop = new BackgroundLoop(
      {
        name: DeliverySweeper.name,
        intervalMs: SWEEP_MS,
        lease: new PgAdvisoryLease(config.databaseUrl, SWEEP_LOCK, 'ccc-delivery-sweeper'),
      },
      ({ freshLease }) => this.sweep(freshLease ? 0 : OVERDUE_SECONDS),
    );
  }

  async sweep(overdueSeconds: number): Promise<void> {
    await this.relay.kick();
    const rows = await sql<{ id: string; next_attempt_at: Date }>(
      this.dataSource,
      `SELECT id, next_attempt_at FROM deliveries
       WHERE status = 'pending' AND next_attempt_at < now() - make_interval(secs => $1)
       ORDER BY next_attempt_at LIMIT $2`,
      [overdueSeconds, BATCH],
    );
    if (rows.length === 0) return;
    const added = await this.queue.requeue(
      rows.map((r) => ({ id: r.id, dueAt: r.next_attempt_at })),
    );
    if (added > 0) this.logger.warn(`re-queued ${added} deliveries whose jobs were lost`);
  }
}
