import { CCC_PARTY } from '../vocabulary/member-states.js';
import type { Principal } from '../common/principal.js';
import type { SqlParams } from '../common/sql.js';
import type { IncidentView } from './incident-view.js';
import { COMMUNITY_TLPS } from '../vocabulary/vocabulary.js';

export { SqlParams } from '../common/sql.js';

/**
 * THE visibility rule, as a SQL predicate on the incidents row aliased `alias`.
 * Coordinators and admins see every incident; an analyst sees one its state reported,
 * holds a dispatch for, or that is TLP:GREEN/CLEAR. Every incident read goes through
 * this (via IncidentsRepository); nothing else decides who sees an incident.
 */
export function visibleTo(principal: Principal, alias: string, params: SqlParams): string {
  if (principal.role !== 'analyst') return 'TRUE';
  const state = params.add(principal.state);
  const community = params.add([...COMMUNITY_TLPS]);
  return `(${alias}.reporting_state = ${state}
    OR ${alias}.tlp = ANY(${community}::text[])
    OR EXISTS (SELECT 1 FROM dispatches vis_d
               WHERE vis_d.incident_id = ${alias}.id AND vis_d.state = ${state}))`;
}

/** The party a principal reads as: its member state, or the coordination center. */
export function partyOf(principal: Principal): string {
  return principal.role === 'analyst' ? principal.state : CCC_PARTY;
}

/**
 * What a party may see of an incident it can see: constituency matches withheld by
 * TLP (`routing.suggested`) are for the coordination center and the reporting state
 * only. Use for API answers (pass the principal) and event payloads (pass the state).
 */
export function incidentViewFor(viewer: Principal | string, view: IncidentView): IncidentView {
  const party = typeof viewer === 'string' ? viewer : partyOf(viewer);
  if (party === CCC_PARTY || party === view.reportingState) return view;
  return { ...view, routing: { ...view.routing, suggested: [] } };
}
