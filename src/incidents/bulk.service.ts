import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { problemBody } from '../common/problem.filter.js';
import { type Locale, msg } from '../i18n/i18n.js';
import { BulkDto } from './dto/bulk.dto.js';
import type { UpdateIncidentDto } from './dto/update-incident.dto.js';
import { TransitionsService } from './transitions.service.js';
import { TriageService } from './triage.service.js';

export interface BulkResult {
  id: string;
  /** The HTTP status the single routes would have answered for this incident. */
  status: number;
  /** Why it failed, as the single route's problem details. */
  problem?: Record<string, unknown>;
}

/**
 * `POST /incidents/bulk`: each incident through exactly the service methods of its single
 * routes (TriageService.update for assignee, severity and category, as PATCH; then
 * TransitionsService.transition, as POST …/transitions), so the same visibility, rules,
 * timeline, audit and events apply. Each incident in a transaction of its own: one that
 * fails changes nothing of itself or of the others. One after the other, in the order given.
 */
@Injectable()
export class BulkService {
  private readonly logger = new Logger(BulkService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly triage: TriageService,
    private readonly transitions: TransitionsService,
  ) {}

  /** `locale`: the language of each failed incident's problem, as its single route's. */
  async apply(
    principal: Principal,
    dto: BulkDto,
    locale: Locale,
  ): Promise<{ results: BulkResult[] }> {
    const update: UpdateIncidentDto = {};
    if (dto.assignee !== undefined) update.assignee = dto.assignee;
    if (dto.severity !== undefined) update.severity = dto.severity;
    if (dto.category !== undefined) update.category = dto.category;
    const patch = Object.keys(update).length > 0;
    const { transition } = dto;
    if (!patch && !transition) {
      throw Problem.validation([
        {
          field: 'body',
          message: msg('v.atLeastOneOf', { fields: 'assignee, severity, category, transition' }),
        },
      ]);
    }
    const results: BulkResult[] = [];
    for (const id of dto.ids) {
      try {
        await this.dataSource.transaction(async (manager) => {
          if (patch) await this.triage.update(principal, id, update, manager);
          if (transition) {
            await this.transitions.transition(
              principal,
              id,
              { to: transition.to, note: transition.note },
              manager,
            );
          }
        });
        results.push({ id, status: 200 });
      } catch (err) {
        const problem = problemBody(err, locale);
        if (problem.status >= 500) this.logger.error({ err, incidentId: id }, 'bulk item failed');
        results.push({ id, status: problem.status, problem });
      }
    }
    return { results };
  }
}
