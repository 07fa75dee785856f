import type { AttachmentView } from './attachment-view.js';
import type { DispatchStatus } from '../dispatches/dispatch.entity.js';
import type { Observable } from './observables.js';

/** An `incidents` row as SQL returns it. */
export interface IncidentRow {
  id: string;
  reference: string;
  title: string;
  description: string | null;
  category: string;
  severity: string;
  tlp: string;
  sector: string;
  reporting_state: string;
  affected_states: string[];
  suggested_states: string[];
  status: string;
  assignee: string | null;
  occurred_at: Date | null;
  detected_at: Date | null;
  resolution_summary: string | null;
  lessons_learned: string | null;
  duplicate_of: string | null;
  resolved_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DispatchView {
  state: string;
  status: DispatchStatus;
  /** When the first `incident.routed` to the state was delivered. */
  notifiedAt: Date | null;
  acknowledgedAt: Date | null;
  escalationLevel: number;
  /** When it next escalates: null once acknowledged, at the last level or finished. */
  deadlineAt: Date | null;
}

/** The incident as the API shows it; trim it with `incidentViewFor` before it leaves. */
export interface IncidentView {
  id: string;
  reference: string;
  title: string;
  description: string | null;
  category: string;
  severity: string;
  tlp: string;
  sector: string;
  reportingState: string;
  affectedStates: string[];
  observables: Observable[];
  occurredAt: Date | null;
  detectedAt: Date | null;
  status: string;
  assignee: string | null;
  resolution: { summary: string; lessonsLearned: string | null } | null;
  duplicateOf: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  routing: { dispatchedTo: string[]; suggested: string[] };
  dispatches: DispatchView[];
  /** Metadata of the evidence files (never their bytes), deleted ones with `deletedAt`. */
  attachments: AttachmentView[];
}

export function toIncidentView(
  row: IncidentRow,
  observables: Observable[],
  dispatches: DispatchView[],
  attachments: AttachmentView[] = [],
): IncidentView {
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    description: row.description,
    category: row.category,
    severity: row.severity,
    tlp: row.tlp,
    sector: row.sector,
    reportingState: row.reporting_state,
    affectedStates: row.affected_states,
    observables,
    occurredAt: row.occurred_at,
    detectedAt: row.detected_at,
    status: row.status,
    assignee: row.assignee,
    resolution: row.resolution_summary
      ? { summary: row.resolution_summary, lessonsLearned: row.lessons_learned }
      : null,
    duplicateOf: row.duplicate_of,
    resolvedAt: row.resolved_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    routing: {
      dispatchedTo: dispatches.map((d) => d.state),
      suggested: row.suggested_states,
    },
    dispatches,
    attachments,
  };
}
