import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Problem } from '../common/problem.js';
import { runInThread, ThreadFailed } from '../common/thread.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { msg, type Msg } from '../i18n/i18n.js';
import type { CreateIncidentDto } from '../incidents/dto/create-incident.dto.js';
import { IntakeService } from '../incidents/intake.service.js';
import { RevisionService } from '../incidents/revision.service.js';
import type { Candidate, Mapped } from './import-candidate.js';
import {
  filedFragment,
  type ItemRecord,
  type ObjectRecord,
  revisedFragment,
} from './import-records.js';
import { type ImportHead, ImportsRepository } from './imports.repository.js';

/** What the input lacks and the query does not give (never TLP: see fileItem). */
const FALLBACK = { category: 'other/undetermined', severity: 'medium', sector: 'other' };
const SKIPPED_BATCH = 1000;
const MAPPING = new URL('./import-mapping.js', import.meta.url);

/**
 * Runs one import (the job's whole work): maps the stored input, then files each candidate
 * through intake, exactly as a filing (routing, dispatches, outbox, audit), with its item
 * recorded in the same statement; or updates the incident of a newer version through a
 * revision, item in the same transaction. Items already recorded are not done again, so a
 * job that died resumes where it stopped. One item at a time: no whole-import transaction.
 * The input is parsed and mapped in the helper thread (import-mapping.ts).
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly intake: IntakeService,
    private readonly revisions: RevisionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(importId: string): Promise<void> {
    const head = await this.imports.head(importId);
    if (!head || head.status !== 'pending') return;
    const mapped = await this.mapped(head);
    if (mapped === null) return;
    if ('error' in mapped) {
      await this.imports.finish(importId, 'failed', mapped.error);
      return;
    }
    const { candidates, skipped } = mapped;
    await this.imports.setTotal(importId, candidates.length + skipped.length);
    const done = await this.imports.donePositions(importId);
    const skippedItems: ItemRecord[] = skipped
      .map((s, n) => ({
        importId,
        position: candidates.length + n,
        ref: s.ref,
        outcome: 'skipped' as const,
        message: s.message,
        members: [],
      }))
      .filter((item) => !done.has(item.position));
    for (let i = 0; i < skippedItems.length; i += SKIPPED_BATCH) {
      await this.imports.record(skippedItems.slice(i, i + SKIPPED_BATCH));
    }
    for (const [position, candidate] of candidates.entries()) {
      if (done.has(position)) continue;
      await this.fileItem(head, position, candidate);
    }
    await this.imports.finish(importId, 'complete');
  }

  /**
   * The stored input mapped in the helper thread, or null once it is gone (finished). The
   * text (up to CCC_IMPORT_MAX_BYTES) is dropped here, not held while the items are filed.
   */
  private async mapped(head: ImportHead): Promise<Mapped | { error: Msg } | null> {
    const payload = await this.imports.payload(head.id);
    if (payload === null) return null;
    try {
      return await runInThread<Mapped | { error: Msg }>(MAPPING, 'mapInput', [
        payload,
        head.format,
        head.defaults.title,
      ]);
    } catch (err) {
      if (!(err instanceof ThreadFailed)) throw err;
      return { error: msg('import.tooComplex') };
    }
  }

  private async fileItem(head: ImportHead, position: number, c: Candidate): Promise<void> {
    const item = (outcome: ItemRecord['outcome'], message: Msg | null): ItemRecord => ({
      importId: head.id,
      position,
      ref: c.ref,
      outcome,
      message,
      members: c.members,
    });
    const tlp = c.tlp ?? head.defaults.tlp ?? null;
    // A missing TLP never becomes TLP:CLEAR (contract): without a default the item fails.
    if (tlp === null) return this.imports.record([item('failed', msg('import.item.noTlp'))]);
    const max = this.config.importMaxObservables;
    if (c.observables.length > max) {
      return this.imports.record([
        item('failed', msg('import.item.tooManyObservables', { count: c.observables.length, max })),
      ]);
    }
    const dto: CreateIncidentDto = {
      title: c.title,
      description: c.description,
      category: c.category ?? head.defaults.category ?? FALLBACK.category,
      severity: c.severity ?? head.defaults.severity ?? FALLBACK.severity,
      tlp,
      sector: head.defaults.sector ?? FALLBACK.sector,
      reportingState: head.reportingState,
      observables: c.observables,
      ...(c.occurredAt ? { occurredAt: c.occurredAt } : {}),
      ...(c.detectedAt ? { detectedAt: c.detectedAt } : {}),
    };
    const object: ObjectRecord = {
      source: head.reportingState,
      externalId: c.externalId,
      version: c.version,
      contentHash: createHash('sha256').update(JSON.stringify(dto)).digest('hex'),
    };
    const principal = head.importer;
    // Twice at most: a concurrent import of the same object makes the first try fail on
    // imported_objects' key; the second then finds it and compares versions.
    for (let attempt = 0; attempt < 2; attempt++) {
      const known = await this.imports.importedObject(object.source, object.externalId);
      try {
        if (!known) {
          // The mapping normalised the observables (ObservableCollector).
          await this.intake.create(
            principal,
            dto,
            null,
            (cs) => filedFragment(cs, item('imported', null), object),
            { observablesNormalised: true },
          );
        } else if (known.contentHash === object.contentHash || object.version < known.version) {
          const why = known.contentHash === object.contentHash ? 'unchanged' : 'older';
          await this.imports.record(
            [item('unchanged', msg(`import.item.${why}`))],
            [known.incidentId],
          );
        } else {
          await this.revisions.revise(principal, known.incidentId, dto, (cs) =>
            revisedFragment(
              cs,
              known.incidentId,
              item('updated', msg('import.item.updated')),
              object,
            ),
          );
        }
        return;
      } catch (err) {
        if (attempt === 0 && isKeyConflict(err)) continue;
        if (err instanceof Problem) {
          return this.imports.record([item('failed', failure(err))]);
        }
        throw err; // the job fails; the reconciler runs it again from this item
      }
    }
  }
}

/** A unique violation of imports' own tables: another run recorded it first. */
function isKeyConflict(err: unknown): boolean {
  const e = ((err as { driverError?: unknown }).driverError ?? err) as {
    code?: string;
    table?: string;
  };
  return e.code === '23505' && (e.table === 'imported_objects' || e.table === 'import_items');
}

/** Why filing an item was refused, as the item's message. */
function failure(problem: Problem): Msg {
  const fields = (problem.errors ?? []).map((e) => e.field).join(', ');
  return fields ? msg('import.item.error', { detail: fields }) : problem.detailMessage;
}
