import { type Locale, type MessageKey, t } from '../i18n/i18n.js';
import { rsitClassLabel } from '../i18n/labels.js';
import type { DurationStats, KeyCount, ReportContent } from './report-content.js';

/** ECharts, loaded on the first HTML report only: the API heap stays small otherwise. */
type ECharts = typeof import('echarts');
let echarts: Promise<ECharts> | null = null;
const loadECharts = () => (echarts ??= import('echarts'));

interface Series {
  name: string;
  values: number[];
}

/**
 * The report as one self-contained, printable page: inline CSS, charts as inline SVG drawn on
 * the server by ECharts (no script, no external resource), and every figure as a table too.
 * It shows exactly the content the other formats show (the same TLP sanitisation: it reads
 * only ReportContent), and every value is escaped.
 */
export async function renderHtml(c: ReportContent, locale: Locale): Promise<string> {
  const lib = await loadECharts();
  const m = (key: MessageKey, values?: Record<string, string | number>) => t(locale, key, values);
  const r = c.report;
  const label = {
    state: (v: string) => m('label.state', { value: v }),
    severity: (v: string) => m('label.severity', { value: v }),
    sector: (v: string) => m('label.sector', { value: v }),
    status: (v: string) => m('label.status', { value: v }),
    rsitClass: (v: string) => rsitClassLabel(v, locale),
    code: (v: string) => v,
  };
  const duration = (s: number | null) => formatDuration(s, locale);
  const hours = (s: number | null) => (s === null ? 0 : Math.round((s / 3600) * 10) / 10);

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

  const body = [
    `<header><h1>${esc(m('report.title', { kind: r.kind, from: day(r.from), to: day(r.to) }))}</h1>`,
    `<ul class="meta">`,
    `<li>${esc(m('report.audience', { audience: m('label.audience', { value: r.audience }), tlps: c.detailedTlp.join(', ') }))}</li>`,
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
                  name: `${m('report.ack')} (h)`,
                  values: severities.map((s) => hours(ackOf(s)?.medianSeconds ?? null)),
                },
                {
                  name: `${m('report.resolution')} (h)`,
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
          })) +
        table(
          [
            m('report.col.state'),
            m('report.col.dispatches'),
            m('report.col.acknowledged'),
            m('report.col.escalated'),
            m('report.col.steps'),
          ],
          c.escalations.map((e) => [
            label.state(e.state),
            e.dispatches,
            e.acknowledged,
            e.escalated,
            e.escalations,
          ]),
        ),
    ),
    section(
      m('report.transnational'),
      `<p>${esc(m('report.transnationalIntro', { total: c.transnationalObservables.total, shareable: c.transnationalObservables.shareable }))}</p>` +
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
      `<p>${esc(m('report.lessonsIntro', { total: c.lessonsLearned.total }))}</p>` +
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

  const title = m('report.title', { kind: r.kind, from: day(r.from), to: day(r.to) });
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
    axisLabel: { interval: 0, width: 240, overflow: 'truncate' as const },
  };
  const value = { type: 'value' as const, minInterval: 1 };
  instance.setOption({
    animation: false,
    aria: { enabled: true, label: { description: spec.title } },
    color: ['#2b4c7e', '#e07b39', '#6a9f58', '#8e5ea2'],
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
      label: { show: true, position: spec.horizontal ? ('right' as const) : ('top' as const) },
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

function day(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** 0 s, 42 s, 12 min, 3 h 05 min, 2 d 4 h, in the page's language. */
export function formatDuration(seconds: number | null, locale: Locale): string {
  if (seconds === null) return t(locale, 'report.duration', { unit: 'none' });
  const s = Math.round(seconds);
  if (s < 60) return t(locale, 'report.duration', { unit: 's', n: s });
  if (s < 3600) return t(locale, 'report.duration', { unit: 'min', n: Math.floor(s / 60) });
  if (s < 86400) {
    return t(locale, 'report.duration', {
      unit: 'h',
      h: Math.floor(s / 3600),
      m: String(Math.floor((s % 3600) / 60)).padStart(2, '0'),
    });
  }
  return t(locale, 'report.duration', {
    unit: 'd',
    d: Math.floor(s / 86400),
    h: Math.floor((s % 86400) / 3600),
  });
}
