import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { auditFragment } from '../audit/audit-append.js';
import { ChangeSet } from '../common/change-set.js';
import { actorOf, Principal } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
import { outboxFragment } from '../notifications/outbox.service.js';
import { timelineFragment } from '../timeline/timeline.service.js';
import { CreateIncidentDto } from './dto/create-incident.dto.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { prepareFiling } from './intake.service.js';
import { incidentViewFor } from './visibility.js';

const FIELDS = [
  'title',
  'description',
  'category',
  'severity',
  'tlp',
  'sector',
  'occurredAt',
  'detectedAt',
] as const;
type Change = { from: unknown; to: unknown };

/**
 * A newer version of an incident from its reporting party's own tool (an import): its fields
 * and observables replaced by the new version's, in one transaction with a `reclassified`
 * timeline entry, `incident.updated` to the reporting and dispatched states, the audit entry
 * and the caller's `extra` fragments (the import records its item there). Routing is not
 * redone: the dispatches made at filing stay, as they do for a reclassification.
 */
@Injectable()
export class RevisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly dispatches: DispatchesService,
  ) {}

  async revise(
    principal: Principal,
    id: string,
    dto: CreateIncidentDto,
    extra: (cs: ChangeSet) => void,
  ): Promise<IncidentView> {
    const { input } = prepareFiling(principal, dto);
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const current = await this.incidents.findVisibleOrThrow(principal, id, manager, {
        forUpdate: true,
      });
      const next = {
        title: dto.title,
        description: dto.description ?? null,
        category: dto.category,
        severity: dto.severity,
        tlp: dto.tlp,
        sector: dto.sector,
        occurredAt: input.occurredAt,
        detectedAt: input.detectedAt,
      };
      const changed: Record<string, Change> = {};
      const comparable = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null));
      for (const field of FIELDS) {
        const from = comparable(current[field]);
        if (from !== next[field]) changed[field] = { from, to: next[field] };
      }
      const key = (o: { type: string; value: string }) => `${o.type}\u0000${o.value}`;
      const before = new Set(current.observables.map(key));
      const after = new Set(input.observables.map(key));
      const added = input.observables.filter((o) => !before.has(key(o))).length;
      const removed = current.observables.filter((o) => !after.has(key(o))).length;
      if (added > 0 || removed > 0) changed.observables = { from: before.size, to: after.size };

      await sql(
        manager,
        `UPDATE incidents SET title = $2, description = $3, category = $4, severity = $5,
           tlp = $6, sector = $7, occurred_at = $8::timestamptz, detected_at = $9::timestamptz,
           updated_at = now()
         WHERE id = $1`,
        [
          id,
          next.title,
          next.description,
          next.category,
          next.severity,
          next.tlp,
          next.sector,
          next.occurredAt,
          next.detectedAt,
        ],
      );
      if (changed.observables) {
        await sql(manager, `DELETE FROM incident_observables WHERE incident_id = $1`, [id]);
        await sql(
          manager,
          `INSERT INTO incident_observables (incident_id, position, type, value)
           SELECT $1::uuid, o.position, o.type, o.value
           FROM unnest($2::int[], $3::text[], $4::text[]) AS o(position, type, value)`,
          [
            id,
            input.observables.map((_, n) => n),
            input.observables.map((o) => o.type),
            input.observables.map((o) => o.value),
          ],
        );
      }
      const deadlines = changed.severity
        ? await this.dispatches.recomputeDeadlines(manager, id, next.severity)
        : [];
      const view = await this.incidents.findVisibleOrThrow(principal, id, manager, {
        untrimmed: true,
      });
      const actor = actorOf(principal);
      const cs = new ChangeSet();
      if (Object.keys(changed).length > 0) {
        timelineFragment(cs, [{ incidentId: id, type: 'reclassified', actor, data: changed }]);
        const parties = [...new Set([view.reportingState, ...view.routing.dispatchedTo])];
        outboxFragment(
          cs,
          parties.map((party) => ({
            type: 'incident.updated' as const,
            party,
            incidentId: id,
            data: { incident: incidentViewFor(party, view), revised: Object.keys(changed) },
          })),
        );
        auditFragment(cs, () => ({
          actor,
          action: 'incident.revised',
          targetType: 'incident',
          targetId: id,
          change: { ...changed, ackDeadlines: deadlines },
        }));
      }
      extra(cs);
      await cs.run(manager);
      return incidentViewFor(principal, view);
    });
  }
}
