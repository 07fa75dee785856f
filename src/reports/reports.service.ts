import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { keyset, Page } from '../common/pagination.js';
import { actorOf, Principal } from '../common/principal.js';
import { FieldError, Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { CreateReportDto } from './dto/create-report.dto.js';
import { ListReportsQuery, ReportFormat } from './dto/report-query.dto.js';
import type { ReportContent } from './report-content.js';
import { renderMarkdown } from './report-markdown.js';
import { parseInstant, periodProblem } from './report-periods.js';
import { ReportQueue } from './report-queue.js';
import { renderStix } from './report-stix.js';
import type { ReportKind, ReportStatus } from './report.entity.js';
import { type Locale, msg } from '../i18n/i18n.js';
import { renderHtml } from './report-html.js';

export interface ReportView {
  id: string;
  kind: ReportKind;
  from: string;
  to: string;
  audience: 'community' | 'public';
  status: ReportStatus;
  createdAt: string;
  completedAt?: string;
  error?: string;
}

/** A rendered report body and the media type it is served as. */
export interface ReportDocument {
  contentType: string;
  body: string;
  /** The language of a document written for people (html, markdown). */
  language?: Locale;
  /** Headers of its own (the HTML page's Content-Security-Policy). */
  headers?: Record<string, string>;
}

/**
 * The HTML report's policy instead of the service's: its inline style sheet and the SVG
 * charts' style attributes apply; nothing else loads or runs (no script at all, no request,
 * a sandbox of its own).
 */
export const HTML_REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'; sandbox";

interface ReportRow {
  id: string;
  kind: ReportKind;
  period_from: Date;
  period_to: Date;
  audience: 'community' | 'public';
  status: ReportStatus;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS =
  'id, kind, period_from, period_to, audience, status, error, created_at, completed_at';

/** Newest first. */
const NEWEST_FIRST = keyset({
  name: 'reports',
  direction: 'desc',
  columns: [
    { sql: 'created_at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
});

const toView = (r: ReportRow): ReportView => ({
  id: r.id,
  kind: r.kind,
  from: r.period_from.toISOString(),
  to: r.period_to.toISOString(),
  audience: r.audience,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  ...(r.completed_at ? { completedAt: r.completed_at.toISOString() } : {}),
  ...(r.status === 'failed' && r.error ? { error: r.error } : {}),
});

const RENDERERS: Record<
  ReportFormat,
  (c: ReportContent, lang: Locale) => Promise<ReportDocument> | ReportDocument
> = {
  json: (c) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(c) }),
  markdown: (c, lang) => ({
    contentType: 'text/markdown; charset=utf-8',
    body: renderMarkdown(c, lang),
    language: lang,
  }),
  html: async (c, lang) => ({
    contentType: 'text/html; charset=utf-8',
    body: await renderHtml(c, lang),
    language: lang,
    headers: { 'content-security-policy': HTML_REPORT_CSP },
  }),
  stix: (c) => ({
    contentType: 'application/stix+json;version=2.1',
    body: JSON.stringify(renderStix(c)),
  }),
};

@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly reportQueue: ReportQueue,
  ) {}

  /** Records the request, then enqueues; the row alone is enough (the reconciler re-drives). */
  async create(dto: CreateReportDto, actor: Principal): Promise<{ id: string; status: 'queued' }> {
    const from = parseInstant(dto.from);
    const to = parseInstant(dto.to);
    const errors: FieldError[] = [];
    const invalid = msg('v.isoForm');
    if (!from) errors.push({ field: 'from', message: invalid });
    if (!to) errors.push({ field: 'to', message: invalid });
    const problem = from && to ? periodProblem({ from, to }) : null;
    if (problem) errors.push({ field: 'to', message: problem });
    if (errors.length > 0) throw Problem.validation(errors);
    const id = await this.dataSource.transaction(async (manager) => {
      const [row] = await sql<{ id: string }>(
        manager,
        `INSERT INTO reports (kind, period_from, period_to, audience, status, requested_by)
         VALUES ('on-demand', $1, $2, $3, 'queued', $4) RETURNING id`,
        [from, to, dto.audience, actorOf(actor)],
      );
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'report.requested',
        targetType: 'report',
        targetId: row.id,
        change: { from: from!.toISOString(), to: to!.toISOString(), audience: dto.audience },
      });
      return row.id;
    });
    await this.reportQueue.enqueue(id);
    return { id, status: 'queued' };
  }

  /** Newest first. */
  async list(query: ListReportsQuery): Promise<Page<ReportView>> {
    const params = new SqlParams();
    [query.kind, query.audience, query.status].forEach((v) => params.add(v ?? null));
    const rows = await sql<ReportRow>(
      this.dataSource,
      `SELECT ${COLUMNS}, ${NEWEST_FIRST.select} FROM reports
        WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR audience = $2)
          AND ($3::text IS NULL OR status = $3)
          AND ${NEWEST_FIRST.after(query.cursor, params)}
        ORDER BY ${NEWEST_FIRST.orderBy} LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
    return NEWEST_FIRST.toPage(rows, query.limit, query.cursor, toView);
  }

  async get(id: string): Promise<ReportView> {
    const [row] = await sql<ReportRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM reports WHERE id = $1`,
      [id],
    );
    if (!row) throw Problem.notFound('report');
    return toView(row);
  }

  /** The content in one format; 409 until the report is ready. */
  async document(id: string, format: ReportFormat, lang: Locale = 'en'): Promise<ReportDocument> {
    const [row] = await sql<{ status: ReportStatus; content: ReportContent | null }>(
      this.dataSource,
      `SELECT status, content FROM reports WHERE id = $1`,
      [id],
    );
    if (!row) throw Problem.notFound('report');
    if (row.status !== 'ready' || !row.content) {
      throw Problem.conflict(msg('problem.conflict.reportNotReady', { status: row.status }), {
        reportStatus: row.status,
      });
    }
    return RENDERERS[format](row.content, lang);
  }

  /** Requests a failed report again under the same id and period. */
  async retry(id: string, actor: Principal): Promise<{ id: string; status: 'queued' }> {
    await this.dataSource.transaction(async (manager) => {
      const rows = await sql<{ id: string }>(
        manager,
        `UPDATE reports SET status = 'queued', error = NULL, completed_at = NULL
          WHERE id = $1 AND status = 'failed' RETURNING id`,
        [id],
      );
      if (rows.length === 0) {
        const [row] = await sql<{ status: string }>(
          manager,
          'SELECT status FROM reports WHERE id = $1',
          [id],
        );
        if (!row) throw Problem.notFound('report');
        throw Problem.conflict(msg('problem.conflict.reportRetry', { status: row.status }), {
          reportStatus: row.status,
        });
      }
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'report.retried',
        targetType: 'report',
        targetId: id,
        change: {},
      });
    });
    await this.reportQueue.enqueue(id);
    return { id, status: 'queued' };
  }
}
