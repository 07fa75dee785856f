import { type Locale, type MessageKey, type MessageValues, t } from '../i18n/i18n.js';
import {
  rsitClassLabel,
  sectorLabel,
  severityLabel,
  stateLabel,
  statusLabel,
} from '../i18n/labels.js';
import { MEMBER_STATES } from '../vocabulary/member-states.js';
import type { DayCount, DurationStats, ReportContent, Timing } from './report-content.js';

/**
 * The words of a report in one language, shared by the HTML and Markdown forms so that both
 * say the same thing: catalogue messages, labels of codes, durations and dates.
 */
export function reportText(locale: Locale) {
  const m = (key: MessageKey, values?: MessageValues) => t(locale, key, values);
  return {
    locale,
    m,
    label: {
      state: (v: string) => stateLabel(v, locale),
      severity: (v: string) => severityLabel(v, locale),
      sector: (v: string) => sectorLabel(v, locale),
      status: (v: string) => statusLabel(v, locale),
      audience: (v: string) => m('label.audience', { value: v }),
      rsitClass: (v: string) => rsitClassLabel(v, locale),
      code: (v: string) => v,
    },
    duration: (seconds: number | null) => formatDuration(seconds, locale),
    title: (c: ReportContent) =>
      m('report.title', { kind: c.report.kind, from: day(c.report.from), to: day(c.report.to) }),
  };
}

export type ReportText = ReturnType<typeof reportText>;

/** The escalations table per receiving state (header, rows): the same in every format. */
export function escalationsTable(
  c: ReportContent,
  { m, label }: ReportText,
): [string[], (string | number)[][]] {
  return [
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
  ];
}

/** Median time to acknowledge (receiving state) and to resolve (reporting state) per state. */
export function timesByState(c: ReportContent): {
  state: string;
  ack: DurationStats;
  resolution: DurationStats;
}[] {
  const of = (timing: Timing, state: string): DurationStats =>
    timing.byState?.find((s) => s.state === state) ?? {
      count: 0,
      medianSeconds: null,
      p90Seconds: null,
    };
  const states = [
    ...new Set([
      ...(c.timings.acknowledgement.byState ?? []).map((s) => s.state),
      ...(c.timings.resolution.byState ?? []).map((s) => s.state),
    ]),
  ];
  return states.map((state) => ({
    state,
    ack: of(c.timings.acknowledgement, state),
    resolution: of(c.timings.resolution, state),
  }));
}

/** The reporting states of any day's count, member states in their usual order first. */
export function dailyStates(days: DayCount[]): string[] {
  const found = new Set(days.flatMap((d) => d.byReportingState.map((s) => s.key)));
  const known: readonly string[] = MEMBER_STATES;
  return [
    ...known.filter((s) => found.has(s)),
    ...[...found].filter((s) => !known.includes(s)).sort(),
  ];
}

/** `listed` of the intro messages: `all`, or how many of `total` a capped list shows. */
export function listed(shown: number, total: number): string {
  return total > shown ? String(shown) : 'all';
}

/** `2026-04-01T00:00:00.000Z` → `2026-04-01`; other instants as they are. */
export function day(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** 0 s, 42 s, 12 min, 3 h 05 min, 2 d 4 h, in the report's language; – when unknown. */
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
