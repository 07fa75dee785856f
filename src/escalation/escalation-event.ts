import type { EscalatedRow } from '../dispatches/dispatches.service.js';

/**
 * `data` of `incident.escalated`. Both the dispatched state and the coordination center
 * see the incident itself; constituency suggestions (shared with no one) stay out.
 */
export function escalationEventData(row: EscalatedRow): Record<string, unknown> {
  return {
    incident: {
      id: row.incident_id,
      reference: row.reference,
      title: row.title,
      category: row.category,
      severity: row.severity,
      tlp: row.tlp,
      sector: row.sector,
      status: row.status,
      reportingState: row.reporting_state,
      affectedStates: row.affected_states,
      createdAt: row.created_at.toISOString(),
    },
    dispatch: {
      state: row.state,
      escalationLevel: row.escalation_level,
      nextDeadline: row.ack_deadline?.toISOString() ?? null,
    },
  };
}
