import type { ReportKind } from './report.entity.js';

export type Audience = 'community' | 'public';

/** TLP levels whose incidents a report may detail (titles, observables, lessons). */
export const DETAILED_TLP: Record<Audience, string[]> = {
  community: ['TLP:CLEAR', 'TLP:GREEN'],
  public: ['TLP:CLEAR'],
};

export const TLP_LEVELS = ['TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR'];

/** Caps keep a report readable; totals say how many there were. */
export const MAX_TRANSNATIONAL = 200;
export const MAX_LESSONS = 200;

export interface KeyCount {
  key: string;
  count: number;
}

export interface DurationStats {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface Timing {
  overall: DurationStats;
  bySeverity: (DurationStats & { severity: string })[];
  /**
   * Per member state: the receiving state for acknowledgements (each dispatch's own time),
   * the reporting state for resolutions. Absent in reports made before v2.
   */
  byState?: (DurationStats & { state: string })[];
}

/** Incidents opened on one UTC day, and by which reporting states (those with any). */
export interface DayCount {
  date: string;
  count: number;
  byReportingState: KeyCount[];
}

export interface StateEscalations {
  state: string;
  dispatches: number;
  acknowledged: number;
  /** Dispatches escalated at least once. */
  escalated: number;
  /** Sum of escalation levels: every escalation step taken. */
  escalations: number;
}

export interface TransnationalObservable {
  type: string;
  value: string;
  incidents: number;
  states: { state: string; incidents: number }[];
  /** Strictest TLP among the incidents that may be detailed to the audience. */
  tlp: string;
}

export interface Lesson {
  reference: string;
  title: string;
  category: string;
  severity: string;
  sector: string;
  tlp: string;
  reportingState: string;
  resolvedAt: string;
  summary: string | null;
  lessons: string | null;
}

/** Everything a report says, computed once; json, markdown and STIX are views of it. */
export interface ReportContent {
  format: 'ccc-report/1';
  report: {
    id: string;
    kind: ReportKind;
    audience: Audience;
    from: string;
    to: string;
    generatedAt: string;
  };
  detailedTlp: string[];
  totals: { opened: number; resolved: number; rejected: number };
  counts: {
    byReportingState: KeyCount[];
    byClass: KeyCount[];
    byCategory: KeyCount[];
    bySeverity: KeyCount[];
    bySector: KeyCount[];
    byTlp: KeyCount[];
    byStatus: KeyCount[];
    /** Every UTC day of the period, oldest first. Absent in reports made before v2. */
    daily?: DayCount[];
  };
  timings: { acknowledgement: Timing; resolution: Timing };
  escalations: StateEscalations[];
  transnationalObservables: { total: number; shareable: number; items: TransnationalObservable[] };
  lessonsLearned: { total: number; items: Lesson[] };
}

/** What `report.published` may carry: counts only, nothing from any incident. */
export function reportSummary(content: ReportContent) {
  return {
    incidents: content.totals.opened,
    resolved: content.totals.resolved,
    rejected: content.totals.rejected,
    transnationalObservables: content.transnationalObservables.total,
    lessonsLearned: content.lessonsLearned.total,
  };
}
