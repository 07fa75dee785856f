import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { MEMBER_STATES } from '../vocabulary/member-states.js';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { msg } from '../i18n/i18n.js';
import { RoutingService } from '../routing/routing.service.js';
import type { RoutingDecision } from '../routing/tlp-rule.js';
import type { CreateIncidentDto } from './dto/create-incident.dto.js';
import { newIncidentView, routedEventData } from './incident-payload.js';
import type { IncidentView } from './incident-view.js';
import { IncidentsRepository } from './incidents.repository.js';
import { prepareFiling } from './intake.service.js';

/** Why a state receives an incident or not; codes, so clients word them in their language. */
export type PreviewReason = 'reporting' | 'affected' | 'constituency' | 'suggested' | 'none';

export interface PreviewRecipient {
  state: string;
  receives: boolean;
  reason: PreviewReason;
  /** Exactly `data.incident` of the `incident.routed` event this state gets, or null. */
  incident: Record<string, unknown> | null;
}

export interface Preview {
  routing: RoutingDecision;
  recipients: PreviewRecipient[];
}

/** Fields only the filing gives: unknown (null) in a preview of an incident not yet filed. */
const FILED_ONLY = ['id', 'reference', 'createdAt', 'updatedAt'] as const;

/**
 * What each member state would receive. Runs intake's own validation, normalisation, routing
 * (rules in memory) and payload builder, and writes nothing: no row, no reference number, no
 * Idempotency-Key.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly routing: RoutingService,
    private readonly incidents: IncidentsRepository,
  ) {}

  async beforeFiling(principal: Principal, dto: CreateIncidentDto): Promise<Preview> {
    const { input, routingInput } = prepareFiling(principal, dto);
    const { decision } = await this.routing.decide(routingInput);
    const view = newIncidentView(randomUUID(), input, decision, '', new Date(0), new Date(0));
    return preview(view, decision, (incident) => {
      for (const field of FILED_ONLY) incident[field] = null;
      // Each dispatch falls due one period after the filing: unknown too.
      for (const d of incident.dispatches as { deadlineAt: unknown }[]) d.deadlineAt = null;
      return incident;
    });
  }

  /** For a filed incident as it stands now: coordinators, and analysts of the reporting state. */
  async filed(principal: Principal, id: string, state?: string): Promise<Preview> {
    const view = await this.incidents.findVisibleOrThrow(principal, id, undefined, {
      untrimmed: true,
    });
    if (principal.role === 'analyst' && view.reportingState !== principal.state) {
      throw Problem.forbidden(msg('problem.forbidden.previewState'));
    }
    const result = preview(view, view.routing, (incident) => incident);
    if (state) result.recipients = result.recipients.filter((r) => r.state === state);
    return result;
  }
}

function preview(
  view: IncidentView,
  decision: RoutingDecision,
  finish: (incident: Record<string, unknown>) => Record<string, unknown>,
): Preview {
  const recipients = MEMBER_STATES.map((state): PreviewRecipient => {
    const receives = decision.dispatchedTo.includes(state);
    // Through JSON, as the event is stored and sent: dates become the same strings.
    const incident = receives
      ? finish(JSON.parse(JSON.stringify(routedEventData(state, view).incident)))
      : null;
    return { state, receives, reason: reasonFor(state, view, decision), incident };
  });
  return {
    routing: { dispatchedTo: decision.dispatchedTo, suggested: decision.suggested },
    recipients,
  };
}

function reasonFor(state: string, view: IncidentView, decision: RoutingDecision): PreviewReason {
  if (state === view.reportingState) return 'reporting';
  if (decision.dispatchedTo.includes(state)) {
    return view.affectedStates.includes(state) ? 'affected' : 'constituency';
  }
  return decision.suggested.includes(state) ? 'suggested' : 'none';
}
