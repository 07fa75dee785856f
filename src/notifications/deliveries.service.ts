import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { keyset, Page } from '../common/pagination.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { DeliveryQueue } from './delivery.queue.js';
import { ListDeliveriesQuery } from './dto/list-deliveries.dto.js';
import type { DeliveryStatus } from './outbox.entity.js';
import { msg } from '../i18n/i18n.js';

export interface DeliveryView {
  id: string;
  event: string;
  incidentId: string | null;
  party: string;
  channel: 'webhook' | 'email';
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface DeliveryRow {
  id: string;
  event: string;
  incident_id: string | null;
  party: string;
  channel: 'webhook' | 'email';
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, event, incident_id, party, channel, status, attempts, last_status_code,
  last_error, next_attempt_at, delivered_at, created_at, updated_at`;

/** Newest first. */
const NEWEST_FIRST = keyset({
  name: 'deliveries',
  direction: 'desc',
  columns: [
    { sql: 'created_at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
});

const toView = (r: DeliveryRow): DeliveryView => ({
  id: r.id,
  event: r.event,
  incidentId: r.incident_id,
  party: r.party,
  channel: r.channel,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
  deliveredAt: r.delivered_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The deliveries API: listing (dead letters included) and manual retry. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Newest first. */
  async list(q: ListDeliveriesQuery): Promise<Page<DeliveryView>> {
    const params = new SqlParams();
    [q.status, q.incidentId, q.party].forEach((v) => params.add(v ?? null));
    const rows = await sql<DeliveryRow>(
      this.dataSource,
      `SELECT ${COLUMNS}, ${NEWEST_FIRST.select} FROM deliveries
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::uuid IS NULL OR incident_id = $2)
         AND ($3::text IS NULL OR party = $3)
         AND ${NEWEST_FIRST.after(q.cursor, params)}
       ORDER BY ${NEWEST_FIRST.orderBy} LIMIT ${params.add(q.limit + 1)}`,
      params.values,
    );
    return NEWEST_FIRST.toPage(rows, q.limit, q.cursor, toView);
  }

  /** A dead-lettered delivery gets a fresh round of attempts, starting now. */
  async retry(id: string, actor: Principal): Promise<DeliveryView> {
    const row = await this.dataSource.transaction(async (manager) => {
      const [current] = await sql<{ status: DeliveryStatus; attempts: number }>(
        manager,
        'SELECT status, attempts FROM deliveries WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!current) throw Problem.notFound('delivery');
      if (current.status !== 'failed') {
        throw Problem.conflict(msg('problem.conflict.deliveryRetry', { status: current.status }), {
          deliveryStatus: current.status,
        });
      }
      const [updated] = await sql<DeliveryRow>(
        manager,
        `UPDATE deliveries SET status = 'pending', attempts = 0,
           next_attempt_at = date_trunc('milliseconds', clock_timestamp()), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'delivery.retried',
        targetType: 'delivery',
        targetId: id,
        change: { status: { from: 'failed', to: 'pending' }, previousAttempts: current.attempts },
      });
      return updated;
    });
    await this.queue.enqueue([{ id: row.id, dueAt: row.next_attempt_at }]);
    return toView(row);
  }
}
