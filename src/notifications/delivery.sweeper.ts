import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sql } from '../common/sql.js';
import { NOTIFICATIONS_DB } from './notifications.db.js';
import { DeliveryQueue } from './delivery.queue.js';
import { OutboxRelay } from './outbox.relay.js';

const SWEEP_MS = 5_000;
/** A due delivery whose job has not run for this long is taken as lost. */
const OVERDUE_SECONDS = 10;
const BATCH = 500;
const SWEEP_LOCK = 727_274_010;

/**
 * The safety net: PostgreSQL is the truth, so pending deliveries whose jobs were lost
 * (process killed, Redis flushed) are queued again, and unpublished outbox rows relayed.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliverySweeper.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource(NOTIFICATIONS_DB) private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => this.tick(), SWEEP_MS);
    // At start, whatever is due now (jobs may have vanished while nothing ran).
    this.tick(0);
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    // Let a run in progress finish, but never hang shutdown (Redis may be unreachable).
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  private tick(overdueSeconds = OVERDUE_SECONDS) {
    if (this.running) return;
    this.running = this.sweep(overdueSeconds)
      .catch((err: Error) => this.logger.warn(`delivery sweep failed: ${err.message}`))
      .finally(() => (this.running = null));
  }

  async sweep(overdueSeconds: number): Promise<void> {
    await this.relay.kick();
    // One instance at a time; the others skip this round.
    await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await sql<{ locked: boolean }>(
        manager,
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [SWEEP_LOCK],
      );
      if (!locked) return;
      const rows = await sql<{ id: string; next_attempt_at: Date }>(
        manager,
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
    });
  }
}
