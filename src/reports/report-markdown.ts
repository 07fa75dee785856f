import type { DurationStats, KeyCount, ReportContent, Timing } from './report-content.js';

/** A document a person can read and forward: headings, short paragraphs, tables. */
export function renderMarkdown(c: ReportContent): string {
  const r = c.report;
  const out: string[] = [
    `# CCC ${KIND_TITLES[r.kind]}: ${day(r.from)} to ${day(r.to)}`,
    '',
    `- Audience: **${r.audience}** (details only ${c.detailedTlp.join(' and ')} incidents; others are counted only)`,
    `- Period: ${r.from} (inclusive) to ${r.to} (exclusive)`,
    `- Generated: ${r.generatedAt}`,
    `- Report id: \`${r.id}\``,
    '',
    '## Summary',
    '',
    table(
      ['Incidents opened', 'Resolved', 'Rejected'],
      [[c.totals.opened, c.totals.resolved, c.totals.rejected]],
    ),
    '## Incidents opened, by reporting state',
    '',
    counts('State', c.counts.byReportingState),
    '## By RSIT class and type',
    '',
    counts('Class', c.counts.byClass),
    counts('Category (class/type)', c.counts.byCategory),
    '## By severity, sector and TLP',
    '',
    counts('Severity', c.counts.bySeverity),
    counts('Sector', c.counts.bySector),
    counts('TLP', c.counts.byTlp),
    counts('Current status', c.counts.byStatus),
    '## Response times',
    '',
    'Time to first acknowledgement by a receiving state (incidents opened in the period) and time to resolution (incidents resolved in the period).',
    '',
    timingTable('Time to first acknowledgement', c.timings.acknowledgement),
    timingTable('Time to resolution', c.timings.resolution),
    '## Escalations, by receiving state',
    '',
    table(
      ['State', 'Dispatches', 'Acknowledged', 'Escalated', 'Escalation steps'],
      c.escalations.map((e) => [e.state, e.dispatches, e.acknowledged, e.escalated, e.escalations]),
    ),
    '## Transnational observables',
    '',
    `Observables reported by two or more member states: ${c.transnationalObservables.total}, of which ${c.transnationalObservables.shareable} may be shared with this audience${c.transnationalObservables.shareable > c.transnationalObservables.items.length ? ` (the first ${c.transnationalObservables.items.length} are listed)` : ''}.`,
    '',
  ];
  if (c.transnationalObservables.items.length > 0) {
    out.push(
      table(
        ['Type', 'Value', 'States (incidents)', 'Incidents', 'TLP'],
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
    '## Lessons learned',
    '',
    `Resolved incidents that may be detailed to this audience: ${c.lessonsLearned.total}${c.lessonsLearned.total > c.lessonsLearned.items.length ? ` (the first ${c.lessonsLearned.items.length} are listed)` : ''}.`,
    '',
  );
  for (const l of c.lessonsLearned.items) {
    out.push(
      `### ${l.reference}: ${inline(l.title)}`,
      '',
      `${l.category} · ${l.severity} · ${l.sector} · ${l.tlp} · reported by ${l.reportingState} · resolved ${l.resolvedAt}`,
      '',
      `**Resolution.** ${inline(l.summary ?? '(none recorded)')}`,
      '',
      `**Lessons learned.** ${inline(l.lessons ?? '(none recorded)')}`,
      '',
    );
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

const KIND_TITLES: Record<string, string> = {
  weekly: 'weekly report',
  monthly: 'monthly report',
  'on-demand': 'report',
};

function counts(label: string, rows: KeyCount[]): string {
  if (rows.length === 0) return `_${label}: none._\n`;
  return table(
    [label, 'Incidents'],
    rows.map((r) => [r.key, r.count]),
  );
}

function timingTable(label: string, t: Timing): string {
  const row = (name: string, s: DurationStats) => [
    name,
    s.count,
    duration(s.medianSeconds),
    duration(s.p90Seconds),
  ];
  return table(
    [label, 'Incidents', 'Median', '90th percentile'],
    [...t.bySeverity.map((s) => row(s.severity, s)), row('**all**', t.overall)],
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

function day(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** 0 s, 42 s, 12 min, 3 h 05 min, 2 d 4 h. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  }
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
