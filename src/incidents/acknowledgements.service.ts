import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { incidentViewFor } from './visibility.js';
import { msg } from '../i18n/i18n.js';

@Injectable()
export class AcknowledgementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly timeline: TimelineService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Marks the caller's dispatch acknowledged and stops its escalation. Invisible → 404;
   * visible without a dispatch for the caller's state → 403; a repeat changes nothing.
   */
  async acknowledge(principal: Principal, incidentId: string): Promise<IncidentView> {
    if (principal.role !== 'analyst')
      throw Problem.forbidden(msg('problem.forbidden.analystsAcknowledge'));
    const state = principal.state;
    return this.dataSource.transaction(async (manager) => {
      await this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      const updated = await sql<{ acknowledged_at: Date }>(
        manager,
        `UPDATE dispatches SET status = 'acknowledged', acknowledged_at = now(),
           acknowledged_by = $3, ack_deadline = NULL
         WHERE incident_id = $1 AND state = $2 AND status <> 'acknowledged'
         RETURNING acknowledged_at`,
        [incidentId, state, actorOf(principal)],
      );
      if (updated.length === 0) {
        const held = await sql(
          manager,
          'SELECT 1 FROM dispatches WHERE incident_id = $1 AND state = $2',
          [incidentId, state],
        );
        if (held.length === 0) throw Problem.forbidden(msg('problem.forbidden.noDispatch'));
        return this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      }
      const view = await this.incidents.findVisibleOrThrow(principal, incidentId, manager, {
        untrimmed: true,
      });
      const actor = actorOf(principal);
      await this.timeline.add(manager, [
        { incidentId, type: 'acknowledged', actor, data: { state } },
      ]);
      const parties = [...new Set([view.reportingState, ...view.routing.dispatchedTo])];
      await this.outbox.add(
        manager,
        parties.map((party) => ({
          type: 'incident.updated' as const,
          party,
          incidentId,
          data: { incident: incidentViewFor(party, view), acknowledged: { state } },
        })),
      );
      await this.audit.append(manager, {
        actor,
        action: 'incident.acknowledged',
        targetType: 'incident',
        targetId: incidentId,
        change: { state, acknowledgedAt: updated[0].acknowledged_at },
      });
      return incidentViewFor(principal, view);
    });
  }
}
