import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sql } from '../common/sql.js';
import { isLocale, WORKING_LOCALE } from '../i18n/i18n.js';
import { NOTIFICATIONS_DB } from './notifications.db.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
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

/** Makes one attempt at a delivery and records what happened. */
@Injectable()
export class DeliveryAttemptsService {
  private readonly logger = new Logger(DeliveryAttemptsService.name);

  constructor(
    @InjectDataSource(NOTIFICATIONS_DB) private readonly dataSource: DataSource,
    private readonly dispatches: DispatchesService,
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

  private async claim(deliveryId: string): Promise<ClaimedDelivery | null> {
    const [row] = await sql<ClaimedDelivery>(
      this.dataSource,
      `WITH claimed AS (
         -- Millisecond precision, so the lease compares equal after a round trip.
         UPDATE deliveries
         SET next_attempt_at =
               date_trunc('milliseconds', clock_timestamp() + make_interval(secs => $2)),
             updated_at = now()
         WHERE id = $1 AND status = 'pending' AND next_attempt_at <= clock_timestamp()
         RETURNING id, event_id, event, incident_id, party, channel, attempts, contact_id,
                   next_attempt_at AS lease)
       SELECT d.*, c.url, c.secret, c.address, c.locale, o.payload, o.created_at AS event_created_at
       FROM claimed d
       LEFT JOIN contacts c ON c.id = d.contact_id
       LEFT JOIN outbox o ON o.event_id = d.event_id`,
      [deliveryId, LEASE_SECONDS],
    );
    return row ?? null;
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
    const next = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5)`,
        [d.id, attempt, result.statusCode, result.error, durationMs],
      );
      // Only while our lease holds: had it expired, the worker that took over records instead.
      const [row] = await sql<{ next_attempt_at: Date }>(
        manager,
        `UPDATE deliveries SET
           status = $3::text, attempts = $4, last_status_code = $5, last_error = $6,
           next_attempt_at = CASE WHEN $3::text = 'pending'
             THEN date_trunc('milliseconds',
               clock_timestamp() + make_interval(secs => $7::double precision / 1000))
             ELSE next_attempt_at END,
           delivered_at = CASE WHEN $3::text = 'delivered' THEN now() ELSE delivered_at END,
           updated_at = now()
         WHERE id = $1 AND status = 'pending' AND next_attempt_at = $2
         RETURNING next_attempt_at`,
        [
          d.id,
          d.lease,
          outcome === 'retry' ? 'pending' : outcome,
          attempt,
          result.statusCode,
          result.error,
          delayMs,
        ],
      );
      if (row && outcome === 'delivered') {
        // The dispatch lifecycle decides what a delivery means for the dispatch (notified).
        await this.dispatches.delivered(manager, {
          event: d.event,
          incidentId: d.incident_id,
          party: d.party,
          channel: d.channel,
          deliveryId: d.id,
        });
      }
      return row;
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
}
