import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditFragment } from '../audit/audit-append.js';
import { ChangeSet } from '../common/change-set.js';
import { SYSTEM_ACTOR } from '../common/principal.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
import { outboxFragment } from '../notifications/outbox.service.js';
import { timelineFragment } from '../timeline/timeline.service.js';
import { escalationEventData } from './escalation-event.js';

export type EscalationOutcome =
  | { kind: 'escalated'; dispatchId: string; level: number; nextDeadline: Date | null }
  /** The dispatch still waits at this level, but its deadline moved later. */
  | { kind: 'not-due'; deadline: Date }
  /** Acknowledged, already escalated by someone else, finished, or gone. */
  | { kind: 'stale' };

/**
 * Escalation: the dispatch lifecycle decides whether a step is due (one conditional UPDATE,
 * see DispatchesService.escalate); this sends `incident.escalated` to the state and the
 * coordination center and records it in the timeline and the audit log, in one statement of
 * the same transaction.
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatches: DispatchesService,
  ) {}

  /** Escalates one dispatch from `level` if it is due; safe to call any number of times. */
  async escalate(dispatchId: string, level: number): Promise<EscalationOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const step = await this.dispatches.escalate(manager, dispatchId, level);
      if (step.kind !== 'escalated') return step;
      const { row } = step;
      const data = escalationEventData(row);
      const cs = new ChangeSet();
      outboxFragment(
        cs,
        [row.state, 'CCC'].map((party) => ({
          type: 'incident.escalated' as const,
          party,
          incidentId: row.incident_id,
          data,
        })),
      );
      timelineFragment(cs, [
        {
          incidentId: row.incident_id,
          type: 'escalated',
          actor: SYSTEM_ACTOR,
          data: { state: row.state, level: row.escalation_level },
        },
      ]);
      auditFragment(cs, () => ({
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
      }));
      await cs.run(manager);
      return {
        kind: 'escalated',
        dispatchId: row.id,
        level: row.escalation_level,
        nextDeadline: row.ack_deadline,
      };
    });
  }
}
