import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../common/principal.js';
import { type FieldError, Problem } from '../common/problem.js';
import { type Locale, msg } from '../i18n/i18n.js';
import type { ImportDefaults, ImportQuery } from './dto/import-query.dto.js';
import type { ImportBody } from './import-body.js';
import { ImportQueue } from './import-queue.js';
import { importView, type ImportView, taxiiStatus, type TaxiiStatus } from './import-view.js';
import { ImportFormat, ImportsRepository } from './imports.repository.js';

/**
 * Accepting imports (the request stores the input and enqueues a job carrying its id: the
 * HTTP process never maps nor files) and reading their status.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly queue: ImportQueue,
  ) {}

  /**
   * 202 `{id, status}`. Refused (400, nothing stored) when the body is not the format's shape
   * or a coordinator names no reporting state. `reportingState` is given for TAXII (the
   * collection's state).
   */
  async create(
    principal: Principal,
    format: ImportFormat,
    /** What the helper thread made of the body (import-body.ts); none without a body. */
    body: ImportBody | undefined,
    query: ImportQuery,
    /** The body's JSON text as received, UTF-8 (http-input rawJsonBytes). */
    text: Buffer | undefined,
  ): Promise<{ id: string; status: 'pending' }> {
    const reportingState = reportingStateOf(principal, query.reportingState);
    if (!body || text === undefined || (format === 'misp' ? !body.misp : !body.stix)) {
      throw refused(format === 'misp' ? 'import.notMisp' : 'import.notStix');
    }
    const objects = format === 'taxii' ? (body.objects ?? []) : null;
    const id = randomUUID();
    const defaults: ImportDefaults = {
      tlp: query.tlp,
      category: query.category,
      severity: query.severity,
      sector: query.sector,
      title: query.title,
    };
    await this.imports.create({
      id,
      format,
      reportingState,
      importer: principal,
      defaults,
      payload: text,
      objects,
    });
    await this.queue.enqueue(id);
    return { id, status: 'pending' };
  }

  async get(principal: Principal, id: string, locale: Locale): Promise<ImportView> {
    const head = await this.imports.findVisible(principal, id);
    if (!head) throw Problem.notFound('import');
    return importView(head, await this.imports.items(id), locale);
  }

  /** The TAXII status resource of an add-objects request, or null (absent or not visible). */
  async taxiiStatus(principal: Principal, id: string, locale: Locale): Promise<TaxiiStatus | null> {
    const head = await this.imports.findVisible(principal, id);
    if (!head || head.format !== 'taxii') return null;
    return taxiiStatus(head, await this.imports.items(id, true), locale);
  }
}

function refused(key: 'import.notStix' | 'import.notMisp'): Problem {
  const errors: FieldError[] = [{ field: 'body', message: msg(key) }];
  return Problem.validation(errors);
}

/** An analyst imports for its own state; a coordinator names the reporting state. */
function reportingStateOf(principal: Principal, requested: string | undefined): string {
  if (principal.role === 'analyst') {
    if (requested !== undefined && requested !== principal.state) {
      throw Problem.validation([
        { field: 'reportingState', message: msg('v.ownState', { state: principal.state }) },
      ]);
    }
    return principal.state;
  }
  if (!requested) {
    throw Problem.validation([
      { field: 'reportingState', message: msg('v.requiredForCoordinators') },
    ]);
  }
  return requested;
}
