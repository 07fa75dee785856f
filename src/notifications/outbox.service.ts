import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';

export type EventType =
  'incident.routed' | 'incident.escalated' | 'incident.updated' | 'report.published';

export interface OutboxEntry {
  type: EventType;
  /** A member-state code or 'CCC'. */
  party: string;
  incidentId?: string | null;
  /** `data` of the event body, already cut down to what this party may see. */
  data: Record<string, unknown>;
}

/** The channel the relay LISTENs on; NOTIFY inside a transaction is delivered at commit. */
export const OUTBOX_CHANNEL = 'ccc_outbox';

@Injectable()
export class OutboxService {
  /**
   * Writes events in the caller's transaction: they exist exactly when the change
   * does. The relay publishes them after commit.
   */
  async add(manager: EntityManager, entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const occurredAt = new Date().toISOString();
    const ids = entries.map(() => randomUUID());
    await manager.query(
      `INSERT INTO outbox (event_id, type, party, incident_id, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[])`,
      [
        ids,
        entries.map((e) => e.type),
        entries.map((e) => e.party),
        entries.map((e) => e.incidentId ?? null),
        entries.map((e, i) =>
          JSON.stringify({ id: ids[i], type: e.type, occurredAt, data: e.data }),
        ),
      ],
    );
    await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  }
}
