import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { auditFragment } from '../audit/audit-append.js';
import { ChangeSet } from '../common/change-set.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { DispatchesService } from '../dispatches/dispatches.service.js';
import { outboxFragment } from '../notifications/outbox.service.js';
import { timelineFragment } from '../timeline/timeline.service.js';
import { isTerminal, Status } from '../vocabulary/vocabulary.js';
import { TransitionDto } from './dto/transition.dto.js';
import { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { checkTransition, TransitionEffect, transitionEffect } from './transitions.js';
import { incidentViewFor } from './visibility.js';
import { msg } from '../i18n/i18n.js';

/** Status changes of an incident, through the state machine in transitions.ts only. */
@Injectable()
export class TransitionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly dispatches: DispatchesService,
  ) {}

  /**
   * The incident row is locked first (through the visibility-scoped lookup), so concurrent
   * transitions run one after the other and the later one is judged against the status the
   * earlier one left (409 when it no longer applies). The UPDATE is also conditional on the
   * status read under the lock. Runs in `manager`'s transaction when given (a bulk item),
   * else in a transaction of its own.
   */
  async transition(
    principal: Principal,
    id: string,
    dto: TransitionDto,
    manager?: EntityManager,
  ): Promise<IncidentView> {
    const work = async (manager: EntityManager) => {
      await this.lockOriginalFirst(manager, principal, id, dto);
      const current = await this.incidents.findVisibleOrThrow(principal, id, manager, {
        forUpdate: true,
      });
      const from = current.status as Status;
      const to = dto.to as Status;
      const check = checkTransition(from, to, dto, id);
      if (check.kind === 'illegal') {
        throw Problem.conflict(msg('problem.conflict.transition', { from, to }), {
          currentStatus: from,
          requestedStatus: to,
        });
      }
      if (check.kind === 'invalid') throw Problem.validation(check.errors);
      const effect = transitionEffect(from, to, dto);
      if (effect.duplicateOf) await this.checkOriginal(manager, principal, effect.duplicateOf);

      await this.write(manager, id, from, to, effect);
      await this.moveDeadlines(manager, id, from, to, current.severity);
      const note = dto.note?.trim() || null;
      const actor = actorOf(principal);
      const view = await this.incidents.findVisibleOrThrow(principal, id, manager, {
        untrimmed: true,
      });
      const parties = [...new Set([view.reportingState, ...view.routing.dispatchedTo])];
      const cs = new ChangeSet();
      timelineFragment(cs, [
        { incidentId: id, type: 'transitioned', actor, data: { from, to, note } },
      ]);
      outboxFragment(
        cs,
        parties.map((party) => ({
          type: 'incident.updated' as const,
          party,
          incidentId: id,
          data: { incident: incidentViewFor(party, view), transition: { from, to } },
        })),
      );
      auditFragment(cs, () => ({
        actor,
        action: 'incident.transitioned',
        targetType: 'incident',
        targetId: id,
        change: { from, to, note, ...effect, resolvedAt: view.resolvedAt },
      }));
      await cs.run(manager);
      return incidentViewFor(principal, view);
    };
    return manager ? work(manager) : this.dataSource.transaction(work);
  }

  /**
   * Marking a duplicate locks both incidents, always the lower id first: two crossing
   * requests (A duplicate of B, B duplicate of A) then run one after the other instead of
   * deadlocking, and the second finds its original already a duplicate.
   */
  private async lockOriginalFirst(
    manager: EntityManager,
    principal: Principal,
    id: string,
    dto: TransitionDto,
  ): Promise<void> {
    const original = dto.to === 'duplicate' ? dto.duplicateOf?.toLowerCase() : undefined;
    if (original && original < id.toLowerCase()) {
      await this.incidents.findVisible(principal, original, manager, { forUpdate: true });
    }
  }

  /**
   * The original must exist for the caller and must not itself be a duplicate (pointing
   * at the original instead keeps every chain one link long and free of cycles).
   */
  private async checkOriginal(manager: EntityManager, principal: Principal, originalId: string) {
    const original = await this.incidents.findVisible(principal, originalId, manager, {
      forUpdate: true,
    });
    if (!original) {
      throw Problem.validation([{ field: 'duplicateOf', message: msg('v.noSuchIncident') }]);
    }
    if (original.status === 'duplicate') {
      throw Problem.validation([
        {
          field: 'duplicateOf',
          message: msg('v.itselfDuplicate', { id: String(original.duplicateOf) }),
        },
      ]);
    }
  }

  private async write(
    manager: EntityManager,
    id: string,
    from: Status,
    to: Status,
    effect: TransitionEffect,
  ): Promise<void> {
    const updated = await sql(
      manager,
      `UPDATE incidents SET status = $3, updated_at = now(),
         resolution_summary = CASE WHEN $4::boolean THEN $5 ELSE resolution_summary END,
         lessons_learned = CASE WHEN $4::boolean THEN $6 ELSE lessons_learned END,
         resolved_at = CASE $7::text WHEN 'now' THEN now() WHEN 'clear' THEN NULL
                       ELSE resolved_at END,
         duplicate_of = coalesce($8::uuid, duplicate_of)
       WHERE id = $1 AND status = $2
       RETURNING id`,
      [
        id,
        from,
        to,
        effect.resolutionSummary !== undefined,
        effect.resolutionSummary ?? null,
        effect.lessonsLearned ?? null,
        effect.resolvedAt === 'now' ? 'now' : effect.resolvedAt === null ? 'clear' : 'keep',
        effect.duplicateOf ?? null,
      ],
    );
    // Cannot happen under the row lock; kept so the guarantee does not rest on it alone.
    if (updated.length === 0) {
      throw Problem.conflict(msg('problem.conflict.statusChanged', { from }), {
        requestedStatus: to,
      });
    }
  }

  /**
   * Escalation waits for nobody once an incident is resolved, closed, rejected or a
   * duplicate; reopening restarts it (the dispatch lifecycle does both).
   */
  private async moveDeadlines(
    manager: EntityManager,
    id: string,
    from: Status,
    to: Status,
    severity: string,
  ): Promise<void> {
    if (isTerminal(to)) await this.dispatches.stopEscalation(manager, id);
    else if (isTerminal(from)) await this.dispatches.restartEscalation(manager, id, severity);
  }
}
