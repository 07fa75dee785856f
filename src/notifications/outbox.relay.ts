import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import pg from 'pg';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BackgroundLoop } from '../background/background-loop.js';
import { prepared } from '../common/sql.js';
import { NOTIFICATIONS_DB } from './notifications.db.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { DeliveryQueue } from './delivery.queue.js';
import { OUTBOX_CHANNEL } from './outbox.service.js';

const BATCH = 200;
const SWEEP_MS = 2_000;
const RECONNECT_MS = 1_000;
/**
 * Commit notifications within this long of the last run share the next one: under an intake
 * burst every group commit notifies, and one relay statement per commit cost about as much
 * as the batches themselves. Adds at most this much to a notification's latency.
 */
const WAKE_GAP_MS = 20;
/**
 * Delivery ids (the `webhook-id`) are UUIDv5 of (event, contact): should a relay's work be
 * lost and redone, the same delivery gets the same id.
 */
const DELIVERY_ID_NAMESPACE = '0b6f4a5e-2f61-4d3c-9a1e-6c0d8e7f5a21';

/**
 * Publishes outbox rows: one delivery per contact of the row's party, then one queue job
 * per delivery. Woken at once by NOTIFY on commit; a sweep every 2 s covers missed wake-ups.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener: pg.Client | null = null;
  private stopped = false;
  private wakeTimer?: NodeJS.Timeout;
  /** Every relay instance runs (SKIP LOCKED shares the rows), so no lease. */
  private readonly loop = new BackgroundLoop(
    { name: OutboxRelay.name, intervalMs: SWEEP_MS, maxBackoffMs: 10_000 },
    async (context) => {
      while (!context.stopping && (await this.relayBatch()) === BATCH);
    },
  );

  constructor(
    @InjectDataSource(NOTIFICATIONS_DB) private readonly dataSource: DataSource,
    private readonly deliveryQueue: DeliveryQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap() {
    void this.listen();
    this.loop.start();
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.wakeTimer);
    // Lets a run in progress finish, but never hangs shutdown (Redis may be unreachable).
    await this.loop.stop();
    await this.listener?.end().catch(() => undefined);
  }

  /** A commit notified: run now, or at most `WAKE_GAP_MS` after the last run. */
  private wake(): void {
    if (this.wakeTimer) return;
    const wait = this.loop.lastStartedAt + WAKE_GAP_MS - Date.now();
    if (wait <= 0) {
      void this.kick();
      return;
    }
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.kick();
    }, wait);
  }

  /** Runs the relay now, or once more after the current run if one is in progress. */
  kick(): Promise<void> {
    return this.loop.kick();
  }

  /**
   * One statement, so one round trip: claims a batch with SKIP LOCKED (several relays
   * never take the same row), marks it published and creates its deliveries.
   */
  private async relayBatch(): Promise<number> {
    const rows = await prepared<{
      claimed: number;
      id: string | null;
      next_attempt_at: Date | null;
    }>(
      this.dataSource,
      'outbox_relay',
      `WITH claimed AS (
         SELECT seq, event_id, type, party, incident_id FROM outbox
         WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
       ), published AS (
         UPDATE outbox o SET published_at = now() FROM claimed c WHERE o.seq = c.seq RETURNING 1
       ), created AS (
         INSERT INTO deliveries (id, event_id, event, incident_id, party, contact_id, channel)
         SELECT uuid_generate_v5($2::uuid, c.event_id || '/' || ct.id),
                c.event_id, c.type, c.incident_id, c.party, ct.id, ct.type
         FROM claimed c JOIN contacts ct ON ct.party = c.party
         ORDER BY c.seq, ct.position
         ON CONFLICT (event_id, contact_id) DO NOTHING
         RETURNING id, next_attempt_at
       )
       SELECT p.claimed, d.id, d.next_attempt_at
       FROM (SELECT count(*)::int AS claimed FROM published) p LEFT JOIN created d ON true`,
      [BATCH, DELIVERY_ID_NAMESPACE],
    );
    // After commit: a job never points at a delivery that does not exist yet.
    await this.deliveryQueue.enqueue(
      rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, dueAt: r.next_attempt_at! })),
    );
    return rows[0]?.claimed ?? 0;
  }

  /** A dedicated connection LISTENs for commits; it reconnects on its own. */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: 'ccc-outbox-listener',
    });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.listen(), RECONNECT_MS);
    };
    this.listener = client;
    client.on('error', (err) => {
      this.logger.warn(`outbox listener lost: ${err.message}`);
      retry();
    });
    client.on('end', retry);
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Anything committed while we were not listening.
      void this.kick();
    } catch (err) {
      this.logger.warn(`outbox listener could not connect: ${(err as Error).message}`);
      retry();
    }
  }
}
