import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ChangeSet } from '../common/change-set.js';
import { SYSTEM_ACTOR } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { timelineRowsFragment } from '../timeline/timeline.service.js';
import {
  isTerminal,
  periodSeconds,
  periodSecondsSql,
  recomputedDeadline,
  TERMINAL_STATUSES,
} from '../vocabulary/vocabulary.js';

/** The incident and dispatch columns an escalation reads back from its UPDATE. */
export interface EscalatedRow {
  id: string;
  incident_id: string;
  state: string;
  escalation_level: number;
  ack_deadline: Date | null;
  reference: string;
  title: string;
  category: string;
  severity: string;
  tlp: string;
  sector: string;
  status: string;
  reporting_state: string;
  affected_states: string[];
  created_at: Date;
}

export type EscalationStep =
  | { kind: 'escalated'; row: EscalatedRow }
  /** The dispatch still waits at this level, but its deadline moved later. */
  | { kind: 'not-due'; deadline: Date }
  /** Acknowledged, already escalated by someone else, finished, or gone. */
  | { kind: 'stale' };

export interface NewDispatches {
  /** A FROM item of the statement that gates the rows (the incident just inserted). */
  from: string;
  incidentId: string;
  states: string[];
  /** The acknowledgement period of the incident's severity (vocabulary.periodSeconds). */
  periodSeconds: number;
}

/**
 * A new incident's dispatches, as a fragment of the filing statement (CTE `dispatched`):
 * pending, escalation level 0, due one acknowledgement period from now.
 */
export function dispatchesFragment(cs: ChangeSet, d: NewDispatches): void {
  cs.with(
    'dispatched',
    `INSERT INTO dispatches (incident_id, state, status, escalation_level, ack_deadline)
     SELECT ${cs.add(d.incidentId)}::uuid, s.state, 'pending', 0,
            now() + make_interval(secs => ${cs.add(d.periodSeconds)})
     FROM ${d.from}, unnest(${cs.add(d.states)}::text[]) AS s(state)`,
  );
}

/**
 * SQL: the dispatch row aliased `d` still waits for its acknowledgement (the list's
 * `awaitingAck`, the dashboard's `pending`).
 */
export function awaitingAckSql(d: string): string {
  return `${d}.acknowledged_at IS NULL`;
}

/**
 * SQL: the dispatch row aliased `d` waits past its deadline: it has escalated at least once,
 * or its deadline has come and the escalation is on its way (the list's `overdue`, the
 * dashboard's `overdue`).
 */
export function overdueSql(d: string): string {
  return `(${awaitingAckSql(d)} AND (${d}.escalation_level > 0 OR ${d}.ack_deadline <= now()))`;
}

/**
 * The dispatch lifecycle: the one writer of `dispatches` after the filing statement created
 * them. pending → notified (first delivered `incident.routed`) → acknowledged; escalations
 * and their deadlines. Every method runs in the caller's transaction; the guarantees rest on
 * conditional UPDATEs, so a repeat, a duplicate job or a race changes nothing twice.
 */
/**
 * Dispatches notified by deliveries that succeeded, as a fragment of the caller's change set:
 * `delivered` names a FROM item with the deliveries' (id, event, incident_id, party, channel).
 * The first delivery of an `incident.routed` event to a state marks its dispatch notified and
 * says so on the timeline; other events, and the centre's own copies, change nothing.
 */
export function notifiedFragment(cs: ChangeSet, delivered: string): void {
  cs.with(
    'notified',
    `UPDATE dispatches d SET status = 'notified', notified_at = now()
     FROM (SELECT DISTINCT ON (x.incident_id, x.party) x.id, x.incident_id, x.party, x.channel
           FROM ${delivered} x
           WHERE x.event = 'incident.routed' AND x.incident_id IS NOT NULL AND x.party <> 'CCC'
           ORDER BY x.incident_id, x.party, x.id) s
     WHERE d.incident_id = s.incident_id AND d.state = s.party AND d.status = 'pending'
     RETURNING d.incident_id, d.state, s.channel, s.id AS delivery_id`,
  );
  timelineRowsFragment(
    cs,
    `SELECT incident_id, 'notified'::text, ${cs.add(SYSTEM_ACTOR)}::text,
       jsonb_build_object('state', state, 'channel', channel, 'deliveryId', delivery_id)
     FROM notified`,
  );
}

@Injectable()
export class DispatchesService {
  private readonly slaJson: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.slaJson = JSON.stringify(config.slaAckSeconds);
  }

  /**
   * The state's dispatch becomes acknowledged and stops escalating. `none`: the state holds
   * no dispatch; `already`: acknowledged before (nothing changes).
   */
  async acknowledge(
    manager: EntityManager,
    incidentId: string,
    state: string,
    actor: string,
  ): Promise<{ acknowledgedAt: Date } | 'already' | 'none'> {
    const [r] = await sql<{ acknowledged_at: Date | null; changed: boolean; held: boolean }>(
      manager,
      `WITH acked AS (
         UPDATE dispatches SET status = 'acknowledged', acknowledged_at = now(),
           acknowledged_by = $3, ack_deadline = NULL
         WHERE incident_id = $1 AND state = $2 AND status <> 'acknowledged'
         RETURNING acknowledged_at)
       SELECT (SELECT acknowledged_at FROM acked) AS acknowledged_at,
              EXISTS (SELECT 1 FROM acked) AS changed,
              EXISTS (SELECT 1 FROM dispatches WHERE incident_id = $1 AND state = $2) AS held`,
      [incidentId, state, actor],
    );
    if (r.changed && r.acknowledged_at) return { acknowledgedAt: r.acknowledged_at };
    return r.held ? 'already' : 'none';
  }

  /**
   * One escalation step from `level` if it is due. One conditional UPDATE decides, so two
   * instances, a duplicate job or the reconciler racing a job never escalate twice, and an
   * acknowledgement that commits first wins. The next deadline is one period after this
   * escalation (none after the last level).
   */
  async escalate(
    manager: EntityManager,
    dispatchId: string,
    level: number,
  ): Promise<EscalationStep> {
    const [row] = await sql<EscalatedRow>(
      manager,
      `UPDATE dispatches d
          SET escalation_level = d.escalation_level + 1, escalated_at = now(),
              ack_deadline = CASE WHEN d.escalation_level + 1 >= $3 THEN NULL
                             ELSE now() + make_interval(secs => ${periodSecondsSql('$4', 'i.severity')}) END
         FROM incidents i
        WHERE d.id = $1 AND d.escalation_level = $2 AND d.escalation_level < $3
          AND d.acknowledged_at IS NULL AND d.ack_deadline <= now()
          AND i.id = d.incident_id AND i.status <> ALL($5::text[])
       RETURNING d.id, d.incident_id, d.state, d.escalation_level, d.ack_deadline,
                 i.reference, i.title, i.category, i.severity, i.tlp, i.sector, i.status,
                 i.reporting_state, i.affected_states, i.created_at`,
      [dispatchId, level, this.config.escalationMaxLevel, this.slaJson, TERMINAL_STATUSES],
    );
    if (row) return { kind: 'escalated', row };
    return this.explainNoEscalation(manager, dispatchId, level);
  }

  /** Why the UPDATE matched nothing; clears deadlines that can never fire usefully. */
  private async explainNoEscalation(
    manager: EntityManager,
    dispatchId: string,
    level: number,
  ): Promise<EscalationStep> {
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
      d.acknowledged_at !== null || isTerminal(d.status) || level >= this.config.escalationMaxLevel;
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

  /** The incident reached a terminal status: nobody waits for an acknowledgement any more. */
  async stopEscalation(manager: EntityManager, incidentId: string): Promise<void> {
    await manager.query(
      `UPDATE dispatches SET ack_deadline = NULL
        WHERE incident_id = $1 AND ack_deadline IS NOT NULL`,
      [incidentId],
    );
  }

  /**
   * The incident was reopened: every unacknowledged dispatch with escalations left gets a
   * fresh full period from now.
   */
  async restartEscalation(manager: EntityManager, incidentId: string, severity: string) {
    await manager.query(
      `UPDATE dispatches SET ack_deadline = now() + make_interval(secs => $2)
        WHERE incident_id = $1 AND acknowledged_at IS NULL AND escalation_level < $3`,
      [
        incidentId,
        periodSeconds(this.config.slaAckSeconds, severity),
        this.config.escalationMaxLevel,
      ],
    );
  }

  /**
   * After a severity change: every pending, unacknowledged dispatch of the incident gets one
   * new period from its last escalation or, before any, from its creation. A stale job finds
   * the new deadline and waits for it; the reconciler catches a deadline that moved earlier.
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
      escalated_at: Date | null;
    }>(
      manager,
      `SELECT id, state, created_at, escalated_at FROM dispatches
        WHERE incident_id = $1 AND acknowledged_at IS NULL AND ack_deadline IS NOT NULL
        FOR UPDATE`,
      [incidentId],
    );
    const updated = rows.map((r) => ({
      dispatchId: r.id,
      state: r.state,
      ackDeadline: recomputedDeadline(r.created_at, r.escalated_at, period),
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
