import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ChangeSet } from '../common/change-set.js';
import { TextTemplate } from '../common/text-template.js';

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

export interface OutboxFragmentOptions {
  /** A FROM item of the statement that gates the rows (no row, no event) and feeds `values`. */
  from?: string;
  /**
   * SQL for the holes the entries' data was built with. `occurredAt` (JSON text of the event
   * time) defaults to the time the fragment is built.
   */
  values?: Record<string, string>;
}

/** The channel the relay LISTENs on; NOTIFY inside a transaction is delivered at commit. */
export const OUTBOX_CHANNEL = 'ccc_outbox';

/**
 * The one writer of `outbox`, as a fragment of the caller's change set (CTE `outbox`, plus
 * the NOTIFY that wakes the relay at commit): one row per (event, party) holding the complete
 * body `{id, type, occurredAt, data}`. Events exist exactly when the change does. The rows go
 * as arrays (one `unnest`), so the statement text does not vary with their number; entries
 * built with holes must all have the same holes in the same order.
 */
export function outboxFragment(
  cs: ChangeSet,
  build: OutboxEntry[] | ((hole: (name: string) => string) => OutboxEntry[]),
  options: OutboxFragmentOptions = {},
): void {
  let entries: OutboxEntry[] = [];
  const ids: string[] = [];
  const payloads = TextTemplate.buildAll((hole) => {
    entries = typeof build === 'function' ? build(hole) : build;
    return entries.map((e) => {
      const id = randomUUID();
      ids.push(id);
      return JSON.stringify({ id, type: e.type, occurredAt: hole('occurredAt'), data: e.data });
    });
  });
  if (entries.length === 0) return;
  const values = { ...options.values };
  values.occurredAt ??= `${cs.add(new Date().toISOString())}::text`;
  const rows = TextTemplate.sqlRows(payloads, cs, (n) => `o.p${n}`, values);
  const from = options.from ? `${options.from}, ` : '';
  cs.with(
    'outbox',
    `INSERT INTO outbox (event_id, type, party, incident_id, payload)
     SELECT o.event_id, o.type, o.party, o.incident_id, ${rows.expr}::jsonb
     FROM ${from}unnest(${cs.add(ids)}::uuid[], ${cs.add(entries.map((e) => e.type))}::text[],
       ${cs.add(entries.map((e) => e.party))}::text[],
       ${cs.add(entries.map((e) => e.incidentId ?? null))}::uuid[], ${rows.arrays.join(', ')})
       AS o(event_id, type, party, incident_id, ${rows.arrays.map((_, n) => `p${n}`).join(', ')})`,
  );
  const gate = options.from ? ` FROM ${options.from}` : '';
  cs.effect(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')${gate} LIMIT 1`);
}

@Injectable()
export class OutboxService {
  /**
   * Writes events in the caller's transaction (one statement): they exist exactly when the
   * change does. The relay publishes them after commit.
   */
  async add(manager: EntityManager, entries: OutboxEntry[]): Promise<void> {
    const cs = new ChangeSet();
    outboxFragment(cs, entries);
    await cs.run(manager);
  }
}
