import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Multipart } from '@fastify/multipart';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { keyset, Page, PageQuery } from '../common/pagination.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { IncidentView } from '../incidents/incident-view.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { normaliseObservable } from '../incidents/observables.js';
import type { ObservableType } from '../vocabulary/vocabulary.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { receiveUpload, ReceivedFile } from './attachment-upload.js';
import {
  ATTACHMENT_COLUMNS,
  AttachmentRow,
  AttachmentView,
  toAttachmentView,
} from '../incidents/attachment-view.js';
import { ATTACHMENT_STORE, type AttachmentStore } from './attachment.store.js';
import { malwareZip } from './malware-zip.js';
import { contentDisposition, parseRange, servedContentType } from './attachment-rules.js';
import { msg } from '../i18n/i18n.js';

/** What a download answers: status, headers and the bytes as a stream. */
export interface Download {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body: Readable | null;
}

/**
 * Evidence files of an incident. Reads follow the incident's visibility (one rule, through
 * IncidentsRepository); uploads are for coordinators and the parties (reporting state and
 * dispatched states); deletion, for coordinators, destroys the bytes and keeps the metadata.
 */
/** Oldest first: the order files were attached in. */
const OLDEST_FIRST = keyset({
  name: 'attachments',
  direction: 'asc',
  columns: [
    { sql: 'created_at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
});

@Injectable()
export class AttachmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly timeline: TimelineService,
    private readonly audit: AuditService,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Streams the upload into the store inside one transaction with its metadata, hashes,
   * observables, timeline and audit entries: any failure, the size limit or a client
   * going away midway rolls all of it back.
   */
  async upload(
    principal: Principal,
    incidentId: string,
    parts: AsyncIterable<Multipart>,
  ): Promise<AttachmentView> {
    const actor = actorOf(principal);
    return this.dataSource.transaction(async (manager) => {
      const incident = await this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      if (!isParty(principal, incident)) {
        throw Problem.forbidden(msg('problem.forbidden.attachmentParty'));
      }
      const id = randomUUID();
      const writer = this.store.writer(manager, id);
      let file: ReceivedFile;
      try {
        file = await receiveUpload(parts, writer, this.config.attachmentMaxBytes);
      } catch (err) {
        await writer.abort(); // the store lets go of the connection before the rollback
        throw err;
      }
      // Locked only now, after the transfer: concurrent uploads number their observables
      // one after the other, and triage is never kept waiting on a slow client.
      await manager.query('SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE', [incidentId]);
      const [row] = await sql<AttachmentRow>(
        manager,
        `INSERT INTO attachments (id, incident_id, filename, original_filename, size, content_type,
           sha256, sha1, md5, malware, description, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING ${ATTACHMENT_COLUMNS}`,
        [
          id,
          incidentId,
          file.name.filename,
          file.name.original,
          file.size,
          file.contentType,
          file.sha256,
          file.sha1,
          file.md5,
          file.malware,
          file.description,
          actor,
        ],
      );
      await this.addHashObservables(manager, incidentId, file);
      await this.timeline.add(manager, [
        { incidentId, type: 'attached', actor, data: summary(row) },
      ]);
      await this.audit.append(manager, {
        actor,
        action: 'attachment.uploaded',
        targetType: 'attachment',
        targetId: id,
        change: { incidentId, ...summary(row), md5: row.md5, sha1: row.sha1 },
      });
      return toAttachmentView(row);
    });
  }

  async list(
    principal: Principal,
    incidentId: string,
    query: PageQuery,
  ): Promise<Page<AttachmentView>> {
    await this.incidents.findVisibleOrThrow(principal, incidentId);
    const params = new SqlParams();
    const rows = await sql<AttachmentRow>(
      this.dataSource,
      `SELECT ${ATTACHMENT_COLUMNS}, ${OLDEST_FIRST.select} FROM attachments
       WHERE incident_id = ${params.add(incidentId)} AND ${OLDEST_FIRST.after(query.cursor, params)}
       ORDER BY ${OLDEST_FIRST.orderBy} LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
    return OLDEST_FIRST.toPage(rows, query.limit, query.cursor, toAttachmentView);
  }

  async get(principal: Principal, incidentId: string, attachmentId: string) {
    await this.incidents.findVisibleOrThrow(principal, incidentId);
    return toAttachmentView(await this.findRow(this.dataSource, incidentId, attachmentId));
  }

  /**
   * The bytes, never as a type a browser would render as a page. A malware sample only as
   * an AES-256 zip (password `infected`). Every download that sends bytes (whole, a range or
   * the zip; not HEAD, 416, 409 or 410) is recorded in the timeline and the audit log before
   * the first byte leaves.
   */
  async content(
    principal: Principal,
    incidentId: string,
    attachmentId: string,
    options: { as?: string; range?: string; ifRange?: string; head?: boolean },
  ): Promise<Download> {
    await this.incidents.findVisibleOrThrow(principal, incidentId);
    const row = await this.findRow(this.dataSource, incidentId, attachmentId);
    if (row.deleted_at) {
      throw new Problem(410, 'attachment-deleted', msg('problem.attachmentDeleted'));
    }
    const common = {
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'content-security-policy': "default-src 'none'; sandbox",
    };
    if (options.as !== undefined && options.as !== 'zip') {
      throw Problem.validation([{ field: 'as', message: msg('v.zipOnly') }]);
    }
    if (options.as === 'zip') {
      if (!options.head) await this.recordDownload(principal, row, { as: 'zip' });
      return {
        status: 200,
        headers: {
          ...common,
          'content-type': 'application/zip',
          'content-disposition': contentDisposition(`${row.filename}.zip`),
        },
        body: options.head
          ? Readable.from([])
          : malwareZip(row.filename, this.store.read(row.id, 0, Number(row.size) - 1)),
      };
    }
    if (row.malware) {
      throw Problem.conflict(msg('problem.conflict.malwareZipOnly'));
    }
    const size = Number(row.size);
    const etag = `"${row.sha256}"`;
    const headers = {
      ...common,
      'content-type': servedContentType(row.content_type),
      'content-disposition': contentDisposition(row.filename),
      'accept-ranges': 'bytes',
      etag,
    };
    const range =
      options.ifRange !== undefined && options.ifRange !== etag
        ? ({ kind: 'full' } as const)
        : parseRange(options.range, size);
    if (range.kind === 'unsatisfiable') {
      return {
        status: 416,
        headers: { ...headers, 'content-range': `bytes */${size}` },
        body: null,
      };
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    if (!options.head) {
      await this.recordDownload(
        principal,
        row,
        range.kind === 'partial' ? { range: `bytes ${start}-${end}/${size}` } : {},
      );
    }
    return {
      status: range.kind === 'partial' ? 206 : 200,
      headers: {
        ...headers,
        'content-length': String(end - start + 1),
        ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
      },
      // HEAD: an empty stream keeps the headers (Content-Length) and reads nothing.
      body: options.head ? Readable.from([]) : this.store.read(row.id, start, end),
    };
  }

  /** Coordinators: the bytes are destroyed, the metadata stays with `deletedAt`. Repeat: no-op. */
  async delete(principal: Principal, incidentId: string, attachmentId: string): Promise<void> {
    const actor = actorOf(principal);
    await this.dataSource.transaction(async (manager) => {
      await this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      const row = await this.findRow(manager, incidentId, attachmentId, true);
      if (row.deleted_at) return;
      await this.store.destroy(manager, row.id);
      await manager.query(
        'UPDATE attachments SET deleted_at = now(), deleted_by = $2 WHERE id = $1',
        [row.id, actor],
      );
      await this.timeline.add(manager, [
        { incidentId, type: 'attachment-deleted', actor, data: summary(row) },
      ]);
      await this.audit.append(manager, {
        actor,
        action: 'attachment.deleted',
        targetType: 'attachment',
        targetId: row.id,
        change: { incidentId, ...summary(row) },
      });
    });
  }

  /** Who fetched which bytes: `as: 'zip'` for the zip, `range` for a part of the file. */
  private async recordDownload(
    principal: Principal,
    row: AttachmentRow,
    how: { as?: 'zip'; range?: string },
  ): Promise<void> {
    const actor = actorOf(principal);
    const data = { ...summary(row), ...how };
    await this.dataSource.transaction(async (manager) => {
      await this.timeline.add(manager, [
        { incidentId: row.incident_id, type: 'attachment-downloaded', actor, data },
      ]);
      await this.audit.append(manager, {
        actor,
        action: 'attachment.downloaded',
        targetType: 'attachment',
        targetId: row.id,
        change: { incidentId: row.incident_id, ...data },
      });
    });
  }

  private async findRow(
    db: DataSource | EntityManager,
    incidentId: string,
    attachmentId: string,
    forUpdate = false,
  ): Promise<AttachmentRow> {
    const [row] = await sql<AttachmentRow>(
      db,
      `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1 AND incident_id = $2
       ${forUpdate ? 'FOR UPDATE' : ''}`,
      [attachmentId, incidentId],
    );
    if (!row) throw Problem.notFound('attachment');
    return row;
  }

  /** The file's hashes become observables of the incident (normalised, once each). */
  private async addHashObservables(
    manager: EntityManager,
    incidentId: string,
    file: ReceivedFile,
  ): Promise<void> {
    const hashes = (['md5', 'sha1', 'sha256'] as const).flatMap((type: ObservableType) => {
      const normalised = normaliseObservable(type, file[type as 'md5' | 'sha1' | 'sha256']);
      return normalised.ok ? [{ type, value: normalised.value }] : [];
    });
    await manager.query(
      `INSERT INTO incident_observables (incident_id, position, type, value)
       SELECT $1, base.next + h.n - 1, h.type, h.value
       FROM (SELECT coalesce(max(position) + 1, 0) AS next FROM incident_observables
             WHERE incident_id = $1) base,
            unnest($2::text[], $3::text[]) WITH ORDINALITY AS h(type, value, n)
       WHERE NOT EXISTS (SELECT 1 FROM incident_observables o
                         WHERE o.incident_id = $1 AND o.type = h.type AND o.value = h.value)`,
      [incidentId, hashes.map((h) => h.type), hashes.map((h) => h.value)],
    );
    await manager.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [incidentId]);
  }
}

/** May add evidence: coordinators, and analysts of the reporting or a dispatched state. */
function isParty(principal: Principal, incident: IncidentView): boolean {
  if (principal.role === 'coordinator') return true;
  if (principal.role !== 'analyst') return false;
  return (
    incident.reportingState === principal.state ||
    incident.dispatches.some((d) => d.state === principal.state)
  );
}

/** What timelines and the audit log say about an attachment (never its bytes). */
function summary(row: AttachmentRow) {
  return {
    attachmentId: row.id,
    filename: row.filename,
    size: Number(row.size),
    sha256: row.sha256,
    malware: row.malware,
  };
}
