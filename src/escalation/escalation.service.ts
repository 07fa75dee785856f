import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { periodSeconds, recomputedDeadline, TERMINAL_STATUSES } from './deadlines.js';
import { EscalatedRow, escalationEventData } from './escalation-event.js';

export type EscalationOutcome =
  | { kind: 'escalated'; dispatchId: string; level: number; nextDeadline: Date | null }
  /** The dispatch still waits at this level, but its deadline moved later. */
  | { kind: 'not-due'; deadline: Date }
  /** Acknowledged, already escalated by someone else, finished, or gone. */
  | { kind: 'stale' };

const TERMINAL = [...TERMINAL_STATUSES];

/**
 * The escalation itself: one conditional UPDATE decides, so two instances, a duplicate
 * job or the reconciler racing a job never escalate twice, and an acknowledgement that
 * commits first wins. The next deadline is one period after this escalation.
 */
const ESCALATE = `
  UPDATE dispatches d
     SET escalation_level = d.escalation_level + 1,
         ack_deadline = CASE WHEN d.escalation_level + 1 >= $3 THEN NULL
                        ELSE now() + make_interval(secs => ($4::jsonb ->> i.severity)::int) END
    FROM incidents i
   WHERE d.id = $1 AND d.escalation_level = $2 AND d.escalation_level < $3
     AND d.acknowledged_at IS NULL AND d.ack_deadline <= now()
     AND i.id = d.incident_id AND i.status <> ALL($5::text[])
  RETURNING d.id, d.incident_id, d.state, d.escalation_level, d.ack_deadline,
            i.reference, i.title, i.category, i.severity, i.tlp, i.sector, i.status,
            i.reporting_state, i.affected_states, i.created_at`;

@Injectable()
export class EscalationService {
  private readonly slaJson: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly timeline: TimelineService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.slaJson = JSON.stringify(config.slaAckSeconds);
  }

  /** Escalates one dispatch from `level` if it is due; safe to call any number of times. */
  async escalate(dispatchId: string, level: number): Promise<EscalationOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await sql<EscalatedRow>(manager, ESCALATE, [
        dispatchId,
        level,
        this.config.escalationMaxLevel,
        this.slaJson,
        TERMINAL,
      ]);
      if (!row) return this.explainNoEscalation(manager, dispatchId, level);
      const data = escalationEventData(row);
      await this.outbox.add(
        manager,
        [row.state, 'CCC'].map((party) => ({
          type: 'incident.escalated' as const,
          party,
          incidentId: row.incident_id,
          data,
        })),
      );
      await this.timeline.add(manager, [
        {
          incidentId: row.incident_id,
          type: 'escalated',
          actor: SYSTEM_ACTOR,
          data: { state: row.state, level: row.escalation_level },
        },
      ]);
      await this.audit.append(manager, {
        actor: SYSTEM_ACTOR,
        action: 'incident.escalated',
        targetType: 'incident',
        targetId: row.incident_id,
        change: {
          dispatchId: row.id,
          state: row.state,
          escalationLevel: row.escalation_level,
          nextDeadline: row.ack_deadline,
        },
      });
      return {
        kind: 'escalated',
        dispatchId: row.id,
        level: row.escalation_level,
        nextDeadline: row.ack_deadline,
      };
    });
  }

  /** Why the UPDATE matched nothing; clears deadlines that can never fire usefully. */
  private async explainNoEscalation(
    manager: EntityManager,
    dispatchId: string,
    level: number,
  ): Promise<EscalationOutcome> {
    const [d] = await sql<{
      escalation_level: number;
      ack_deadline: Date | null;
      acknowledged_at: Date | null;
      status: string;
      not_due: boolean;
    }>(
      manager,
      `SELECT d.escalation_level, d.ack_deadline, d.acknowledged_at, i.status,
              d.ack_deadline > now() AS not_due
         FROM dispatches d JOIN incidents i ON i.id = d.incident_id WHERE d.id = $1`,
      [dispatchId],
    );
    if (!d || d.escalation_level !== level || !d.ack_deadline) return { kind: 'stale' };
    const finished =
      d.acknowledged_at !== null ||
      TERMINAL.includes(d.status as never) ||
      level >= this.config.escalationMaxLevel;
    if (finished) {
      // A deadline that can never escalate would keep coming back to the reconciler.
      await manager.query(
        'UPDATE dispatches SET ack_deadline = NULL WHERE id = $1 AND escalation_level = $2',
        [dispatchId, level],
      );
      return { kind: 'stale' };
    }
    return d.not_due ? { kind: 'not-due', deadline: d.ack_deadline } : { kind: 'stale' };
  }

  /**
   * After a severity change (called inside the triage transaction): every pending,
   * unacknowledged dispatch of the incident gets one new period from its last escalation
   * or, before any, from its creation. A stale job finds the new deadline and waits for it;
   * the reconciler catches a deadline that moved earlier.
   */
  async recomputeDeadlines(
    manager: EntityManager,
    incidentId: string,
    newSeverity: string,
  ): Promise<{ dispatchId: string; state: string; ackDeadline: Date }[]> {
    const period = periodSeconds(this.config.slaAckSeconds, newSeverity);
    const rows = await sql<{
      id: string;
      state: string;
      created_at: Date;
      last_escalated_at: Date | null;
    }>(
      manager,
      `SELECT d.id, d.state, d.created_at,
              (SELECT max(t.at) FROM timeline_events t
                WHERE t.incident_id = d.incident_id AND t.type = 'escalated'
                  AND t.data->>'state' = d.state) AS last_escalated_at
         FROM dispatches d
        WHERE d.incident_id = $1 AND d.acknowledged_at IS NULL AND d.ack_deadline IS NOT NULL
        FOR UPDATE OF d`,
      [incidentId],
    );
    const updated = rows.map((r) => ({
      dispatchId: r.id,
      state: r.state,
      ackDeadline: recomputedDeadline(r.created_at, r.last_escalated_at, period),
    }));
    if (updated.length > 0) {
      await manager.query(
        `UPDATE dispatches d SET ack_deadline = u.deadline
           FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, deadline)
          WHERE d.id = u.id AND d.acknowledged_at IS NULL AND d.ack_deadline IS NOT NULL`,
        [updated.map((u) => u.dispatchId), updated.map((u) => u.ackDeadline.toISOString())],
      );
    }
    return updated;
  }
}
