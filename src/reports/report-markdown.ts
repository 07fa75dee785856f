import type { Locale } from '../i18n/i18n.js';
import type { DurationStats, KeyCount, ReportContent, Timing } from './report-content.js';
import {
  dailyStates,
  escalationsTable,
  listed,
  type ReportText,
  reportText,
  timesByState,
} from './report-text.js';

/**
 * A document a person can read and forward, in English or Russian: headings, short
 * paragraphs, tables. The numbers are those of the content, whatever the language.
 */
export function renderMarkdown(c: ReportContent, locale: Locale = 'en'): string {
  const text = reportText(locale);
  const { m, label } = text;
  const r = c.report;
  const daily = (c.counts.daily ?? []).filter((d) => d.count > 0);
  const states = dailyStates(daily);
  const perState = timesByState(c);
  const out: string[] = [
    `# ${text.title(c)}`,
    '',
    `- ${m('report.audience', { audience: label.audience(r.audience), tlps: c.detailedTlp.join(', ') })}`,
    `- ${m('report.period', { from: r.from, to: r.to })}`,
    `- ${m('report.generated', { at: r.generatedAt })}`,
    `- ${m('report.id', { id: `\`${r.id}\`` })}`,
    '',
    `## ${m('report.summary')}`,
    '',
    table(
      [m('report.opened'), m('report.resolved'), m('report.rejected')],
      [[c.totals.opened, c.totals.resolved, c.totals.rejected]],
    ),
    `## ${m('report.byState')}`,
    '',
    counts(text, 'report.col.state', c.counts.byReportingState, label.state),
  ];
  if (c.counts.daily) {
    out.push(
      `## ${m('report.daily')}`,
      '',
      daily.length === 0
        ? `_${m('report.chartNoData')}_\n`
        : table(
            [m('report.date'), ...states.map(label.state), m('report.incidents')],
            daily.map((d) => [
              d.date,
              ...states.map((s) => d.byReportingState.find((x) => x.key === s)?.count ?? 0),
              d.count,
            ]),
          ),
    );
  }
  out.push(
    `## ${m('report.byRsit')}`,
    '',
    counts(text, 'report.col.class', c.counts.byClass, label.rsitClass),
    counts(text, 'report.col.category', c.counts.byCategory, label.code),
    `## ${m('report.byOther')}`,
    '',
    counts(text, 'report.col.severity', c.counts.bySeverity, label.severity),
    counts(text, 'report.col.sector', c.counts.bySector, label.sector),
    counts(text, 'report.col.tlp', c.counts.byTlp, label.code),
    counts(text, 'report.col.status', c.counts.byStatus, label.status),
    `## ${m('report.times')}`,
    '',
    m('report.timesIntro'),
    '',
    timingTable(text, m('report.ack'), c.timings.acknowledgement),
    timingTable(text, m('report.resolution'), c.timings.resolution),
  );
  if (perState.length > 0) {
    out.push(
      `### ${m('report.timesByState')}`,
      '',
      table(
        [
          m('report.col.state'),
          m('report.medianAck'),
          m('report.col.acknowledged'),
          m('report.medianResolve'),
          m('report.resolved'),
        ],
        perState.map((s) => [
          label.state(s.state),
          text.duration(s.ack.medianSeconds),
          s.ack.count,
          text.duration(s.resolution.medianSeconds),
          s.resolution.count,
        ]),
      ),
    );
  }
  out.push(
    `## ${m('report.escalations')}`,
    '',
    table(...escalationsTable(c, text)),
    `## ${m('report.transnational')}`,
    '',
    m('report.transnationalIntro', {
      total: c.transnationalObservables.total,
      shareable: c.transnationalObservables.shareable,
      listed: listed(c.transnationalObservables.items.length, c.transnationalObservables.shareable),
    }),
    '',
  );
  if (c.transnationalObservables.items.length > 0) {
    out.push(
      table(
        [
          m('report.col.type'),
          m('report.col.value'),
          m('report.col.statesIncidents'),
          m('report.incidents'),
          m('report.col.tlp'),
        ],
        c.transnationalObservables.items.map((o) => [
          o.type,
          code(o.value),
          o.states.map((s) => `${s.state} (${s.incidents})`).join(', '),
          o.incidents,
          o.tlp,
        ]),
      ),
    );
  }
  out.push(
    `## ${m('report.lessons')}`,
    '',
    m('report.lessonsIntro', {
      total: c.lessonsLearned.total,
      listed: listed(c.lessonsLearned.items.length, c.lessonsLearned.total),
    }),
    '',
  );
  for (const l of c.lessonsLearned.items) {
    const facts = [
      l.category,
      label.severity(l.severity),
      label.sector(l.sector),
      l.tlp,
      m('report.reportedBy', { state: label.state(l.reportingState) }),
      m('report.resolvedAt', { at: l.resolvedAt }),
    ];
    out.push(
      `### ${l.reference}: ${inline(l.title)}`,
      '',
      facts.join(' · '),
      '',
      `**${m('report.resolutionLabel')}** ${inline(l.summary ?? m('report.noneRecorded'))}`,
      '',
      `**${m('report.lessonsLabel')}** ${inline(l.lessons ?? m('report.noneRecorded'))}`,
      '',
    );
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function counts(
  text: ReportText,
  column: Parameters<ReportText['m']>[0],
  rows: KeyCount[],
  name: (key: string) => string,
): string {
  if (rows.length === 0) return `_${text.m('report.none', { label: text.m(column) })}_\n`;
  return table(
    [text.m(column), text.m('report.incidents')],
    rows.map((r) => [name(r.key), r.count]),
  );
}

function timingTable(text: ReportText, heading: string, t: Timing): string {
  const row = (name: string, s: DurationStats) => [
    name,
    s.count,
    text.duration(s.medianSeconds),
    text.duration(s.p90Seconds),
  ];
  return table(
    [heading, text.m('report.incidents'), text.m('report.median'), text.m('report.p90')],
    [
      ...t.bySeverity.map((s) => row(text.label.severity(s.severity), s)),
      row(`**${text.m('report.all')}**`, t.overall),
    ],
  );
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => cell(c)).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- |').join('')}`, ...rows.map(line), ''].join('\n');
}

/** Keeps a cell on one line and its pipes from splitting the table. */
function cell(value: string | number): string {
  return inline(String(value)).replace(/\|/g, '\\|');
}

/** Reported text on one line, without raw HTML for renderers that would run it. */
function inline(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text}${ticks}`;
}
