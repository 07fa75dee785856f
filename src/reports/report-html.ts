import type { Locale, MessageKey } from '../i18n/i18n.js';
import type { DurationStats, KeyCount, ReportContent } from './report-content.js';
import { dailyStates, escalationsTable, listed, reportText, timesByState } from './report-text.js';

/** ECharts, loaded on the first HTML report only: the API heap stays small otherwise. */
type ECharts = typeof import('echarts');
let echarts: Promise<ECharts> | null = null;
const loadECharts = () => (echarts ??= import('echarts'));

interface Series {
  name: string;
  /** `null`: nothing to measure, no bar (never drawn as a zero). */
  values: (number | null)[];
  /** Series with the same stack are drawn on top of each other. */
  stack?: string;
}

/**
 * The report as one self-contained, printable page: inline CSS, charts as inline SVG drawn on
 * the server by ECharts (no script, no external resource), and every figure as a table too.
 * It shows exactly the content the other formats show (the same TLP sanitisation: it reads
 * only ReportContent), and every value is escaped.
 */
export async function renderHtml(c: ReportContent, locale: Locale): Promise<string> {
  const lib = await loadECharts();
  const text = reportText(locale);
  const { m, label, duration } = text;
  const r = c.report;
  const hours = (s: number | null) => (s === null ? null : Math.round((s / 3600) * 10) / 10);

  const countsSection = (
    heading: MessageKey,
    column: MessageKey,
    rows: KeyCount[],
    name: (v: string) => string,
    horizontal = false,
  ) =>
    section(
      m(heading),
      rows.length === 0
        ? `<p>${esc(m('report.none', { label: m(column) }))}</p>`
        : chart(lib, {
            categories: rows.map((x) => name(x.key)),
            series: [{ name: m('report.incidents'), values: rows.map((x) => x.count) }],
            horizontal,
            title: m(heading),
          }) +
            table(
              [m(column), m('report.incidents')],
              rows.map((x) => [name(x.key), x.count]),
            ),
    );

  const timings = c.timings;
  const timingRows = (stats: (DurationStats & { severity: string })[]) => stats;
  const severities = [
    ...new Set([
      ...timingRows(timings.acknowledgement.bySeverity).map((s) => s.severity),
      ...timingRows(timings.resolution.bySeverity).map((s) => s.severity),
    ]),
  ];
  const ackOf = (sev: string) => timings.acknowledgement.bySeverity.find((s) => s.severity === sev);
  const resOf = (sev: string) => timings.resolution.bySeverity.find((s) => s.severity === sev);

  // Incidents per day, stacked by reporting state; the table lists the days with any.
  const dailySection = () => {
    const days = c.counts.daily ?? [];
    const withAny = days.filter((d) => d.count > 0);
    const states = dailyStates(withAny);
    const countOn = (d: (typeof days)[number], state: string) =>
      d.byReportingState.find((s) => s.key === state)?.count ?? 0;
    return section(
      m('report.daily'),
      withAny.length === 0
        ? `<p>${esc(m('report.chartNoData'))}</p>`
        : chart(lib, {
            categories: days.map((d) => d.date.slice(5)),
            series: states.map((state) => ({
              name: label.state(state),
              values: days.map((d) => countOn(d, state)),
              stack: 'states',
            })),
            title: m('report.daily'),
          }) +
            table(
              [m('report.date'), ...states.map(label.state), m('report.incidents')],
              withAny.map((d) => [d.date, ...states.map((s) => countOn(d, s)), d.count]),
            ),
    );
  };

  // Median time to acknowledge (receiving state) and to resolve (reporting state), per state.
  const perState = timesByState(c);
  const timesByStateSection = () =>
    section(
      m('report.timesByState'),
      chart(lib, {
        categories: perState.map((s) => label.state(s.state)),
        series: [
          {
            name: m('report.inHours', { label: m('report.medianAck') }),
            values: perState.map((s) => hours(s.ack.medianSeconds)),
          },
          {
            name: m('report.inHours', { label: m('report.medianResolve') }),
            values: perState.map((s) => hours(s.resolution.medianSeconds)),
          },
        ],
        title: m('report.timesByState'),
      }) +
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
            duration(s.ack.medianSeconds),
            s.ack.count,
            duration(s.resolution.medianSeconds),
            s.resolution.count,
          ]),
        ),
    );

  const body = [
    `<header><h1>${esc(text.title(c))}</h1>`,
    `<ul class="meta">`,
    `<li>${esc(m('report.audience', { audience: label.audience(r.audience), tlps: c.detailedTlp.join(', ') }))}</li>`,
    `<li>${esc(m('report.period', { from: r.from, to: r.to }))}</li>`,
    `<li>${esc(m('report.generated', { at: r.generatedAt }))}</li>`,
    `<li>${esc(m('report.id', { id: r.id }))}</li></ul></header>`,
    section(
      m('report.summary'),
      table(
        [m('report.opened'), m('report.resolved'), m('report.rejected')],
        [[c.totals.opened, c.totals.resolved, c.totals.rejected]],
      ),
    ),
    countsSection('report.byState', 'report.col.state', c.counts.byReportingState, label.state),
    c.counts.daily ? dailySection() : '',
    countsSection('report.byRsit', 'report.col.class', c.counts.byClass, label.rsitClass, true),
    section(
      m('report.col.category'),
      table(
        [m('report.col.category'), m('report.incidents')],
        c.counts.byCategory.map((x) => [x.key, x.count]),
      ),
    ),
    countsSection(
      'report.col.severity',
      'report.col.severity',
      c.counts.bySeverity,
      label.severity,
    ),
    countsSection('report.col.sector', 'report.col.sector', c.counts.bySector, label.sector, true),
    countsSection('report.col.tlp', 'report.col.tlp', c.counts.byTlp, label.code),
    countsSection('report.col.status', 'report.col.status', c.counts.byStatus, label.status),
    section(
      m('report.times'),
      `<p>${esc(m('report.timesIntro'))}</p>` +
        (severities.length === 0
          ? `<p>${esc(m('report.chartNoData'))}</p>`
          : chart(lib, {
              categories: severities.map(label.severity),
              series: [
                {
                  name: m('report.inHours', { label: m('report.ack') }),
                  values: severities.map((s) => hours(ackOf(s)?.medianSeconds ?? null)),
                },
                {
                  name: m('report.inHours', { label: m('report.resolution') }),
                  values: severities.map((s) => hours(resOf(s)?.medianSeconds ?? null)),
                },
              ],
              title: m('report.times'),
            })) +
        table(
          [m('report.ack'), m('report.incidents'), m('report.median'), m('report.p90')],
          [
            ...timings.acknowledgement.bySeverity.map((s) => [
              label.severity(s.severity),
              s.count,
              duration(s.medianSeconds),
              duration(s.p90Seconds),
            ]),
            [
              m('report.all'),
              timings.acknowledgement.overall.count,
              duration(timings.acknowledgement.overall.medianSeconds),
              duration(timings.acknowledgement.overall.p90Seconds),
            ],
          ],
        ) +
        table(
          [m('report.resolution'), m('report.incidents'), m('report.median'), m('report.p90')],
          [
            ...timings.resolution.bySeverity.map((s) => [
              label.severity(s.severity),
              s.count,
              duration(s.medianSeconds),
              duration(s.p90Seconds),
            ]),
            [
              m('report.all'),
              timings.resolution.overall.count,
              duration(timings.resolution.overall.medianSeconds),
              duration(timings.resolution.overall.p90Seconds),
            ],
          ],
        ),
    ),
    perState.length > 0 ? timesByStateSection() : '',
    section(
      m('report.escalations'),
      (c.escalations.length === 0
        ? `<p>${esc(m('report.chartNoData'))}</p>`
        : chart(lib, {
            categories: c.escalations.map((e) => label.state(e.state)),
            series: [
              { name: m('report.col.dispatches'), values: c.escalations.map((e) => e.dispatches) },
              {
                name: m('report.col.acknowledged'),
                values: c.escalations.map((e) => e.acknowledged),
              },
              { name: m('report.col.escalated'), values: c.escalations.map((e) => e.escalated) },
            ],
            title: m('report.escalations'),
          })) + table(...escalationsTable(c, text)),
    ),
    section(
      m('report.transnational'),
      `<p>${esc(m('report.transnationalIntro', { total: c.transnationalObservables.total, shareable: c.transnationalObservables.shareable, listed: listed(c.transnationalObservables.items.length, c.transnationalObservables.shareable) }))}</p>` +
        (c.transnationalObservables.items.length === 0
          ? ''
          : table(
              [
                m('report.col.type'),
                m('report.col.value'),
                m('report.col.statesIncidents'),
                m('report.incidents'),
                m('report.col.tlp'),
              ],
              c.transnationalObservables.items.map((o) => [
                o.type,
                o.value,
                o.states.map((s) => `${s.state} (${s.incidents})`).join(', '),
                o.incidents,
                o.tlp,
              ]),
            )),
    ),
    section(
      m('report.lessons'),
      `<p>${esc(m('report.lessonsIntro', { total: c.lessonsLearned.total, listed: listed(c.lessonsLearned.items.length, c.lessonsLearned.total) }))}</p>` +
        c.lessonsLearned.items
          .map(
            (l) =>
              `<article><h3>${esc(l.reference)}: ${esc(l.title)}</h3>` +
              `<p class="meta">${esc([l.category, label.severity(l.severity), label.sector(l.sector), l.tlp, m('report.reportedBy', { state: label.state(l.reportingState) }), m('report.resolvedAt', { at: l.resolvedAt })].join(' · '))}</p>` +
              `<p><strong>${esc(m('report.resolutionLabel'))}</strong> ${esc(l.summary ?? m('report.noneRecorded'))}</p>` +
              `<p><strong>${esc(m('report.lessonsLabel'))}</strong> ${esc(l.lessons ?? m('report.noneRecorded'))}</p></article>`,
          )
          .join(''),
    ),
  ].join('\n');

  const title = text.title(c);
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;max-width:960px;margin:2rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.25rem;border-bottom:2px solid #2b4c7e;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem}
ul.meta{list-style:none;padding:0;color:#444}p.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;min-width:50%}th,td{border:1px solid #c8ced8;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#eef2f8}td:not(:first-child){font-variant-numeric:tabular-nums}
figure{margin:.5rem 0}figure svg{max-width:100%;height:auto}
section{break-inside:avoid-page}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}table,figure,article{break-inside:avoid}a{color:inherit;text-decoration:none}@page{size:A4;margin:15mm}}
`;

function section(heading: string, content: string): string {
  return `<section><h2>${esc(heading)}</h2>${content}</section>`;
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = (tag: string, row: (string | number)[]) =>
    `<tr>${row.map((v) => `<${tag}>${esc(String(v))}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${cells('th', head)}</thead><tbody>${rows.map((r) => cells('td', r)).join('')}</tbody></table>`;
}

/** A bar chart as an SVG string; ECharts escapes the text it writes. */
function chart(
  lib: ECharts,
  spec: { categories: string[]; series: Series[]; horizontal?: boolean; title: string },
): string {
  const height = spec.horizontal ? Math.max(160, 40 + spec.categories.length * 28) : 300;
  const instance = lib.init(null, null, { renderer: 'svg', ssr: true, width: 860, height });
  const category = {
    type: 'category' as const,
    data: spec.categories,
    // Every label while they fit (a month of days does not), else ECharts picks.
    axisLabel: {
      interval: !spec.horizontal && spec.categories.length > 12 ? ('auto' as const) : 0,
      width: 240,
      overflow: 'truncate' as const,
    },
  };
  const value = { type: 'value' as const, minInterval: 1 };
  instance.setOption({
    animation: false,
    aria: { enabled: true, label: { description: spec.title } },
    color: ['#2b4c7e', '#e07b39', '#6a9f58', '#8e5ea2', '#c23b3b', '#3a9fb0', '#9a7b2f'],
    textStyle: { fontFamily: 'sans-serif' },
    legend: spec.series.length > 1 ? { top: 0 } : undefined,
    grid: {
      left: spec.horizontal ? 250 : 50,
      right: 30,
      top: spec.series.length > 1 ? 40 : 20,
      bottom: 40,
    },
    xAxis: spec.horizontal ? value : category,
    yAxis: spec.horizontal ? { ...category, inverse: true } : value,
    series: spec.series.map((s) => ({
      type: 'bar' as const,
      name: s.name,
      data: s.values,
      ...(s.stack ? { stack: s.stack } : {}),
      // Stacked bars (many, thin) carry their numbers in the table only.
      label: {
        show: !s.stack,
        position: spec.horizontal ? ('right' as const) : ('top' as const),
      },
    })),
  });
  const svg = instance.renderToSVGString();
  instance.dispose();
  return `<figure role="img" aria-label="${esc(spec.title)}">${svg}</figure>`;
}

/** Every value written into the page goes through this. */
export function esc(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
