import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Batcher } from '../common/batcher.js';
import { ChangeSet } from '../common/change-set.js';
import { prepared, sql } from '../common/sql.js';
import { isLocale, WORKING_LOCALE } from '../i18n/i18n.js';
import { NOTIFICATIONS_DB } from './notifications.db.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { notifiedFragment } from '../dispatches/dispatches.service.js';
import { AttemptResult } from './delivery-result.js';
import { DeliveryQueue } from './delivery.queue.js';
import { EmailSender } from './email.sender.js';
import { deliveryLatency, deliveryOutcomes } from './notification.metrics.js';
import { backoffDelay } from './retry-policy.js';
import { WebhookSender } from './webhook.sender.js';

/** How long a worker owns a delivery while attempting it; longer than any send timeout. */
const LEASE_SECONDS = 30;
/** A job that fires this much early waits instead of rescheduling itself. */
const EARLY_WAIT_MS = 2_000;

interface ClaimedDelivery {
  id: string;
  event: string;
  incident_id: string | null;
  party: string;
  channel: 'webhook' | 'email';
  attempts: number;
  lease: Date;
  contact_id: string | null;
  url: string | null;
  secret: string | null;
  address: string | null;
  locale: string | null;
  payload: Record<string, unknown> | null;
  event_created_at: Date | null;
}

/** What one attempt came to, as recorded. */
interface Outcome {
  id: string;
  lease: Date;
  /** `pending` for a retry. */
  status: 'pending' | 'delivered' | 'failed';
  attempt: number;
  statusCode: number | null;
  error: string | null;
  delayMs: number;
  durationMs: number;
}

/** Claims and records go in batches: with many deliveries at once, one statement each. */
const BATCH_LIMITS = { maxBatch: 64, maxInFlight: 1 };

/** Makes one attempt at a delivery and records what happened. */
@Injectable()
export class DeliveryAttemptsService {
  private readonly logger = new Logger(DeliveryAttemptsService.name);
  private readonly claims = new Batcher((ids: string[]) => this.claimBatch(ids), BATCH_LIMITS);
  private readonly records = new Batcher((o: Outcome[]) => this.recordBatch(o), BATCH_LIMITS);

  constructor(
    @InjectDataSource(NOTIFICATIONS_DB) private readonly dataSource: DataSource,
    private readonly webhooks: WebhookSender,
    private readonly email: EmailSender,
    private readonly queue: DeliveryQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async attempt(deliveryId: string): Promise<void> {
    const delivery = await this.claimWhenDue(deliveryId);
    if (!delivery) return;
    const started = Date.now();
    const result = await this.send(delivery);
    await this.record(delivery, result, Date.now() - started);
  }

  /**
   * Takes a lease on a pending, due delivery (next_attempt_at moves past the attempt), so
   * two jobs for one delivery never send at once. Not pending: nothing to do. Not due:
   * make sure a job exists for when it is.
   */
  private async claimWhenDue(deliveryId: string): Promise<ClaimedDelivery | null> {
    for (let tries = 0; tries < 2; tries++) {
      const claimed = await this.claim(deliveryId);
      if (claimed) return claimed;
      const [row] = await sql<{ status: string; next_attempt_at: Date; wait_ms: number }>(
        this.dataSource,
        `SELECT status, next_attempt_at,
                extract(epoch FROM next_attempt_at - clock_timestamp()) * 1000 AS wait_ms
         FROM deliveries WHERE id = $1`,
        [deliveryId],
      );
      if (!row || row.status !== 'pending') return null;
      const waitMs = Number(row.wait_ms);
      if (waitMs > EARLY_WAIT_MS || tries > 0) {
        await this.queue.enqueue([{ id: deliveryId, dueAt: row.next_attempt_at }]);
        return null;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs) + 5));
    }
    return null;
  }

  private claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    return this.claims.run(deliveryId);
  }

  /**
   * One statement for a batch of claims. Two jobs for one delivery in the same batch: the
   * first gets it, the other nothing (as if it had lost the race).
   */
  private async claimBatch(ids: string[]): Promise<(ClaimedDelivery | null)[]> {
    const rows = await prepared<ClaimedDelivery>(
      this.dataSource,
      'delivery_claim',
      `WITH claimed AS (
         -- Millisecond precision, so the lease compares equal after a round trip.
         UPDATE deliveries
         SET next_attempt_at =
               date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $2)),
             updated_at = now()
         WHERE id = ANY($1::uuid[]) AND status = 'pending' AND next_attempt_at <= clock_timestamp()
         RETURNING id, event_id, event, incident_id, party, channel, attempts, contact_id,
                   next_attempt_at AS lease)
       SELECT d.*, c.url, c.secret, c.address, c.locale, o.payload, o.created_at AS event_created_at
       FROM claimed d
       LEFT JOIN contacts c ON c.id = d.contact_id
       LEFT JOIN outbox o ON o.event_id = d.event_id`,
      [ids, LEASE_SECONDS],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  private async send(d: ClaimedDelivery): Promise<AttemptResult> {
    const gone = (what: string): AttemptResult => ({
      delivered: false,
      statusCode: null,
      error: `${what} no longer exists`,
      permanent: true,
    });
    if (!d.payload) return gone('the event');
    if (d.channel === 'webhook') {
      if (!d.url || !d.secret) return gone('the webhook contact');
      return this.webhooks.send({
        id: d.id,
        url: d.url,
        sealedSecret: d.secret,
        body: JSON.stringify(d.payload),
      });
    }
    if (!d.address) return gone('the e-mail contact');
    return this.email.send({
      id: d.id,
      to: d.address,
      event: d.payload,
      locale: isLocale(d.locale) ? d.locale : WORKING_LOCALE,
    });
  }

  private async record(d: ClaimedDelivery, result: AttemptResult, durationMs: number) {
    const attempt = d.attempts + 1;
    const outcome = result.delivered
      ? 'delivered'
      : result.permanent || attempt >= this.config.webhookMaxAttempts
        ? 'failed'
        : 'retry';
    const delayMs =
      outcome === 'retry'
        ? (result.retryAfterMs ?? backoffDelay(this.config.webhookBackoffMs, attempt))
        : 0;
    const next = await this.records.run({
      id: d.id,
      lease: d.lease,
      status: outcome === 'retry' ? 'pending' : outcome,
      attempt,
      statusCode: result.statusCode,
      error: result.error,
      delayMs,
      durationMs,
    });
    deliveryOutcomes.inc({ event: d.event, channel: d.channel, outcome });
    if (outcome === 'delivered' && d.event_created_at) {
      deliveryLatency.observe(
        { event: d.event, channel: d.channel },
        (Date.now() - d.event_created_at.getTime()) / 1000,
      );
    }
    if (outcome === 'failed') {
      this.logger.warn(
        `delivery ${d.id} dead-lettered after ${attempt} attempt(s): ${result.error}`,
      );
    }
    if (next && outcome === 'retry') {
      await this.queue.enqueue([{ id: d.id, dueAt: next.next_attempt_at }]);
    }
  }

  /**
   * One statement for a batch of outcomes: the attempts, the deliveries (each only while
   * its lease holds: had it expired, the worker that took over records instead), and the
   * dispatches the deliveries notified. Returns, per outcome, the delivery's next attempt
   * time, or null when the lease no longer held.
   */
  private async recordBatch(outcomes: Outcome[]): Promise<({ next_attempt_at: Date } | null)[]> {
    const cs = new ChangeSet();
    const column = (pick: (o: Outcome) => unknown) => cs.add(outcomes.map(pick));
    cs.with(
      'outcome',
      `SELECT * FROM unnest(${column((o) => o.id)}::uuid[], ${column((o) => o.lease)}::timestamptz[],
         ${column((o) => o.status)}::text[], ${column((o) => o.attempt)}::int[],
         ${column((o) => o.statusCode)}::int[], ${column((o) => o.error)}::text[],
         ${column((o) => o.delayMs)}::double precision[], ${column((o) => o.durationMs)}::int[])
         WITH ORDINALITY AS r(id, lease, status, attempt, status_code, error, delay_ms,
                              duration_ms, n)`,
      { materialized: true },
    );
    cs.with(
      'attempts',
      `INSERT INTO delivery_attempts (delivery_id, attempt, status_code, error, duration_ms)
       SELECT id, attempt, status_code, error, duration_ms FROM outcome`,
    );
    cs.with(
      'recorded',
      `UPDATE deliveries d SET
         status = r.status, attempts = r.attempt, last_status_code = r.status_code,
         last_error = r.error,
         next_attempt_at = CASE WHEN r.status = 'pending'
           THEN date_trunc('milliseconds', clock_timestamp() + make_interval(secs => r.delay_ms / 1000))
           ELSE d.next_attempt_at END,
         delivered_at = CASE WHEN r.status = 'delivered' THEN now() ELSE d.delivered_at END,
         updated_at = now()
       FROM outcome r
       WHERE d.id = r.id AND d.status = 'pending' AND d.next_attempt_at = r.lease
       RETURNING d.id, d.event, d.incident_id, d.party, d.channel, d.status, d.next_attempt_at`,
    );
    cs.with('delivered', `SELECT * FROM recorded WHERE status = 'delivered'`);
    // The dispatch lifecycle decides what a delivery means for the dispatch (notified).
    notifiedFragment(cs, 'delivered');
    const { text, values } = cs.statement(
      'x.next_attempt_at, x.id IS NOT NULL AS held',
      'outcome r LEFT JOIN recorded x ON x.id = r.id ORDER BY r.n',
    );
    const rows = await prepared<{ next_attempt_at: Date | null; held: boolean }>(
      this.dataSource,
      'delivery_record',
      text,
      values,
    );
    return rows.map((r) => (r.held ? { next_attempt_at: r.next_attempt_at! } : null));
  }
}
