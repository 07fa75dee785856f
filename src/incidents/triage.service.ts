import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
import { TimelineEntry, TimelineService } from '../timeline/timeline.service.js';
import { UpdateIncidentDto } from './dto/update-incident.dto.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { incidentViewFor } from './visibility.js';
import { msg } from '../i18n/i18n.js';

const CLASSIFICATION = ['severity', 'category', 'sector'] as const;
type Change = { from: unknown; to: unknown };

/** Reclassification and assignment of an incident by a coordinator (PATCH). */
@Injectable()
export class TriageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly dispatches: DispatchesService,
    private readonly timeline: TimelineService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Applies the fields that differ from the stored ones. A severity change moves the
   * pending acknowledgement deadlines in the same transaction. Sending only the current
   * values is a no-op: nothing is written and the incident is returned as it is. Runs in
   * `manager`'s transaction when given (a bulk item), else in a transaction of its own.
   */
  async update(
    principal: Principal,
    id: string,
    dto: UpdateIncidentDto,
    manager?: EntityManager,
  ): Promise<IncidentView> {
    const fields = [...CLASSIFICATION, 'assignee'] as const;
    if (fields.every((f) => dto[f] === undefined)) {
      throw Problem.validation([
        { field: 'body', message: msg('v.atLeastOneOf', { fields: fields.join(', ') }) },
      ]);
    }
    const work = async (manager: EntityManager) => {
      const current = await this.incidents.findVisibleOrThrow(principal, id, manager, {
        forUpdate: true,
      });
      const reclassified: Record<string, Change> = {};
      for (const field of CLASSIFICATION) {
        const to = dto[field];
        if (to !== undefined && to !== current[field]) {
          reclassified[field] = { from: current[field], to };
        }
      }
      const assignee =
        dto.assignee === undefined || dto.assignee === current.assignee
          ? undefined
          : await this.assigneeOf(manager, dto.assignee);
      const assigned: Change | null =
        assignee !== undefined && assignee !== current.assignee
          ? { from: current.assignee, to: assignee }
          : null;
      if (Object.keys(reclassified).length === 0 && !assigned) return current;

      const next = {
        severity: dto.severity ?? current.severity,
        category: dto.category ?? current.category,
        sector: dto.sector ?? current.sector,
        assignee: assigned ? assigned.to : current.assignee,
      };
      await sql(
        manager,
        `UPDATE incidents SET severity = $2, category = $3, sector = $4, assignee = $5, updated_at = now()
         WHERE id = $1`,
        [id, next.severity, next.category, next.sector, next.assignee],
      );
      const deadlines = reclassified.severity
        ? await this.dispatches.recomputeDeadlines(manager, id, next.severity)
        : [];

      const actor = actorOf(principal);
      const entries: TimelineEntry[] = [];
      if (Object.keys(reclassified).length > 0) {
        entries.push({ incidentId: id, type: 'reclassified', actor, data: reclassified });
      }
      if (assigned) entries.push({ incidentId: id, type: 'assigned', actor, data: assigned });
      await this.timeline.add(manager, entries);
      const view = await this.incidents.findVisibleOrThrow(principal, id, manager);
      if (Object.keys(reclassified).length > 0) {
        await this.audit.append(manager, {
          actor,
          action: 'incident.reclassified',
          targetType: 'incident',
          targetId: id,
          change: { ...reclassified, ackDeadlines: deadlines },
        });
      }
      if (assigned) {
        await this.audit.append(manager, {
          actor,
          action: 'incident.assigned',
          targetType: 'incident',
          targetId: id,
          change: { assignee: assigned },
        });
      }
      return incidentViewFor(principal, view);
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /** A new assignee is the username of an active coordinator or admin (v1 values stay). */
  private async assigneeOf(manager: EntityManager, value: string | null): Promise<string | null> {
    if (value === null) return null;
    const username = value.trim().toLowerCase();
    const [user] = await sql(
      manager,
      `SELECT 1 FROM users
       WHERE username = $1 AND role IN ('coordinator', 'admin') AND NOT disabled`,
      [username],
    );
    if (!user) {
      throw Problem.validation([{ field: 'assignee', message: msg('v.assignee') }]);
    }
    return username;
  }
}
