import { t } from '../i18n/i18n.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CCC_PARTY, MEMBER_STATES } from '../vocabulary/member-states.js';
import { SYSTEM_ACTOR } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { Audience, ReportContent, reportSummary } from './report-content.js';
import { periodProblem } from './report-periods.js';
import { generateReportContent, ReportSpec } from './report-queries.js';
import type { ReportKind } from './report.entity.js';

/** A failure whose message is fit to show to every reader of the report. */
export class ReportGenerationError extends Error {}

interface ClaimedRow {
  id: string;
  kind: ReportKind;
  audience: Audience;
  period_from: Date;
  period_to: Date;
}

/** How long one generation may query before it is given up as failed. */
const STATEMENT_TIMEOUT = '5min';

@Injectable()
export class ReportGenerator {
  private readonly logger = new Logger(ReportGenerator.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * queued (or running, when a stalled job is re-delivered) → running → ready | failed.
   * A report already ready or failed is left alone, so a duplicate job does nothing.
   */
  async generate(reportId: string): Promise<void> {
    const [row] = await sql<ClaimedRow>(
      this.dataSource,
      `UPDATE reports SET status = 'running', error = NULL, completed_at = NULL
        WHERE id = $1 AND status IN ('queued', 'running')
        RETURNING id, kind, audience, period_from, period_to`,
      [reportId],
    );
    if (!row) return;
    const spec: ReportSpec = {
      id: row.id,
      kind: row.kind,
      audience: row.audience,
      from: row.period_from,
      to: row.period_to,
    };
    let content: ReportContent;
    try {
      const problem = periodProblem(spec);
      if (problem)
        throw new ReportGenerationError(
          `invalid period: to ${t('en', problem.key, problem.values)}`,
        );
      content = await generateReportContent(this.dataSource, spec, {
        statementTimeout: STATEMENT_TIMEOUT,
      });
    } catch (err) {
      await this.fail(reportId, err);
      return;
    }
    await this.complete(spec, content);
  }

  private async complete(spec: ReportSpec, content: ReportContent): Promise<void> {
    const summary = reportSummary(content);
    await this.dataSource.transaction(async (manager) => {
      const done = await sql<{ id: string }>(
        manager,
        `UPDATE reports SET status = 'ready', content = $2, completed_at = now(), error = NULL
          WHERE id = $1 AND status = 'running' RETURNING id`,
        [spec.id, JSON.stringify(content)],
      );
      if (done.length === 0) return; // another run finished it first
      const report = {
        id: spec.id,
        kind: spec.kind,
        from: content.report.from,
        to: content.report.to,
        audience: spec.audience,
        url: `${this.config.publicUrl}/api/v1/reports/${spec.id}`,
        summary,
      };
      await this.outbox.add(
        manager,
        [...MEMBER_STATES, CCC_PARTY].map((party) => ({
          type: 'report.published' as const,
          party,
          data: { report },
        })),
      );
      await this.audit.append(manager, {
        actor: SYSTEM_ACTOR,
        action: 'report.ready',
        targetType: 'report',
        targetId: spec.id,
        change: { summary },
      });
    });
  }

  private async fail(reportId: string, err: unknown): Promise<void> {
    const reason = failureReason(err);
    this.logger.error({ err, reportId }, `Report ${reportId} failed: ${reason}`);
    await this.dataSource.transaction(async (manager) => {
      const done = await sql<{ id: string }>(
        manager,
        `UPDATE reports SET status = 'failed', error = $2, completed_at = now()
          WHERE id = $1 AND status = 'running' RETURNING id`,
        [reportId, reason],
      );
      if (done.length === 0) return;
      await this.audit.append(manager, {
        actor: SYSTEM_ACTOR,
        action: 'report.failed',
        targetType: 'report',
        targetId: reportId,
        change: { error: reason },
      });
    });
  }
}

/** A reason readers may see: ours verbatim, database errors by class only (no SQL text). */
export function failureReason(err: unknown): string {
  if (err instanceof ReportGenerationError) return err.message.slice(0, 500);
  const code =
    (err as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ??
    (err as { code?: unknown })?.code;
  if (code === '57014') return 'generation took too long and was cancelled';
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return `the database refused a report query (SQLSTATE ${code})`;
  }
  return 'generation failed unexpectedly; see the service log';
}
