import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditFragment } from '../audit/audit-append.js';
import { ChangeSet } from '../common/change-set.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
import { outboxFragment } from '../notifications/outbox.service.js';
import { timelineFragment } from '../timeline/timeline.service.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { incidentViewFor } from './visibility.js';
import { msg } from '../i18n/i18n.js';

@Injectable()
export class AcknowledgementsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly dispatches: DispatchesService,
  ) {}

  /**
   * Marks the caller's dispatch acknowledged and stops its escalation. Invisible → 404;
   * visible without a dispatch for the caller's state → 403; a repeat changes nothing.
   */
  async acknowledge(principal: Principal, incidentId: string): Promise<IncidentView> {
    if (principal.role !== 'analyst') {
      throw Problem.forbidden(msg('problem.forbidden.analystsAcknowledge'));
    }
    const state = principal.state;
    const actor = actorOf(principal);
    return this.dataSource.transaction(async (manager) => {
      await this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      const acked = await this.dispatches.acknowledge(manager, incidentId, state, actor);
      if (acked === 'none') {
        throw Problem.forbidden(msg('problem.forbidden.noDispatch'));
      }
      if (acked === 'already')
        return this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      const view = await this.incidents.findVisibleOrThrow(principal, incidentId, manager, {
        untrimmed: true,
      });
      const parties = [...new Set([view.reportingState, ...view.routing.dispatchedTo])];
      const cs = new ChangeSet();
      timelineFragment(cs, [{ incidentId, type: 'acknowledged', actor, data: { state } }]);
      outboxFragment(
        cs,
        parties.map((party) => ({
          type: 'incident.updated' as const,
          party,
          incidentId,
          data: { incident: incidentViewFor(party, view), acknowledged: { state } },
        })),
      );
      auditFragment(cs, () => ({
        actor,
        action: 'incident.acknowledged',
        targetType: 'incident',
        targetId: incidentId,
        change: { state, acknowledgedAt: acked.acknowledgedAt },
      }));
      await cs.run(manager);
      return incidentViewFor(principal, view);
    });
  }
}
