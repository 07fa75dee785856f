import type { RoutingDecision } from '../routing/tlp-rule.js';
import { IncidentView, toIncidentView } from './incident-view.js';
import type { CreateIncidentDto } from './dto/create-incident.dto.js';
import type { Observable } from './observables.js';
import { incidentViewFor } from './visibility.js';

/** A filing, validated and normalised: what intake writes and a preview shows. */
export interface NewIncident {
  dto: CreateIncidentDto;
  reportingState: string;
  affectedStates: string[];
  observables: Observable[];
  occurredAt: string | null;
  detectedAt: string | null;
}

/**
 * The incident a filing creates, as the API shows it, before the database has numbered it.
 * Intake fills `reference`, `createdAt` and the dispatches' `deadlineAt` (one acknowledgement
 * period after the filing) from SQL; a preview leaves them unknown.
 */
export function newIncidentView(
  id: string,
  input: NewIncident,
  routing: RoutingDecision,
  reference: string,
  createdAt: Date,
  deadlineAt: Date,
): IncidentView {
  return toIncidentView(
    {
      id,
      reference,
      title: input.dto.title,
      description: input.dto.description ?? null,
      category: input.dto.category,
      severity: input.dto.severity,
      tlp: input.dto.tlp,
      sector: input.dto.sector,
      reporting_state: input.reportingState,
      affected_states: input.affectedStates,
      suggested_states: routing.suggested,
      status: 'new',
      assignee: null,
      occurred_at: input.occurredAt === null ? null : new Date(input.occurredAt),
      detected_at: input.detectedAt === null ? null : new Date(input.detectedAt),
      resolution_summary: null,
      lessons_learned: null,
      duplicate_of: null,
      resolved_at: null,
      created_at: createdAt,
      updated_at: createdAt,
    },
    input.observables,
    routing.dispatchedTo.map((state) => ({
      state,
      status: 'pending' as const,
      notifiedAt: null,
      acknowledgedAt: null,
      escalationLevel: 0,
      deadlineAt,
    })),
  );
}

/**
 * `data` of the `incident.routed` event a state receives: THE payload builder, used by intake
 * for the outbox and by previews, so what a preview shows cannot drift from what is sent.
 * Language-neutral: codes, never labels.
 */
export function routedEventData(state: string, view: IncidentView): { incident: IncidentView } {
  return { incident: incidentViewFor(state, view) };
}
