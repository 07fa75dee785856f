import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { OutboxService } from '../notifications/outbox.service.js';
import { RoutingDecision, RoutingService } from '../routing/routing.service.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { CreateIncidentDto } from './dto/create-incident.dto.js';
import { IdempotencyRequest, IdempotencyService, Outcome } from './idempotency.js';
import { IncidentRow, IncidentView, toIncidentView } from './incident-view.js';
import { normaliseObservables, Observable } from './observables.js';
import { formatReference } from './reference.js';
import type { Severity } from './taxonomy.js';
import { incidentViewFor } from './visibility.js';

interface NewIncident {
  dto: CreateIncidentDto;
  reportingState: string;
  affectedStates: string[];
  observables: Observable[];
  occurredAt: string | null;
  detectedAt: string | null;
}

/** Files an incident: validate, normalise, then one transaction for everything it causes. */
@Injectable()
export class IntakeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly routing: RoutingService,
    private readonly idempotency: IdempotencyService,
    private readonly timeline: TimelineService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    principal: Principal,
    dto: CreateIncidentDto,
    idempotency: IdempotencyRequest | null,
  ): Promise<Outcome<unknown>> {
    const { observables, errors } = normaliseObservables(dto.observables ?? []);
    if (errors.length > 0) throw Problem.validation(errors);
    const input: NewIncident = {
      dto,
      reportingState: reportingStateOf(principal, dto),
      affectedStates: [...new Set(dto.affectedStates ?? [])].sort(),
      observables,
      occurredAt: toTimestamp(dto.occurredAt, 'occurredAt'),
      detectedAt: toTimestamp(dto.detectedAt, 'detectedAt'),
    };
    const outcome = await this.dataSource.transaction(async (manager) => {
      if (idempotency) {
        const claim = await this.idempotency.claim(manager, principal.keyId, idempotency);
        if (claim.kind === 'replay')
          return { status: claim.status, body: claim.body, replayed: true };
      }
      const body = incidentViewFor(principal, await this.file(manager, principal, input));
      if (idempotency) {
        await this.idempotency.complete(manager, principal.keyId, idempotency, 201, body);
      }
      await this.audit.append(manager, {
        actor: actorOf(principal),
        action: 'incident.created',
        targetType: 'incident',
        targetId: body.id,
        change: {
          reference: body.reference,
          reportingState: body.reportingState,
          category: body.category,
          severity: body.severity,
          tlp: body.tlp,
          sector: body.sector,
          routing: body.routing,
        },
      });
      return { status: 201, body, replayed: false };
    });
    if (idempotency && !outcome.replayed) this.idempotency.purgeSometimes();
    return outcome;
  }

  /** Routes, numbers and stores the incident with its dispatches, timeline and events. */
  private async file(
    manager: EntityManager,
    principal: Principal,
    input: NewIncident,
  ): Promise<IncidentView> {
    const routing = await this.routing.route(manager, {
      reportingState: input.reportingState,
      affectedStates: input.affectedStates,
      tlp: input.dto.tlp,
      observables: input.observables,
    });
    // Taken as late as possible: the counter row stays locked until commit.
    const reference = await this.nextReference(manager);
    const row = await this.insert(manager, principal, input, reference, routing);
    const view = toIncidentView(
      row,
      input.observables,
      routing.dispatchedTo.map((state) => ({
        state,
        status: 'pending',
        acknowledgedAt: null,
        escalationLevel: 0,
      })),
    );
    const actor = actorOf(principal);
    await this.timeline.add(manager, [
      { incidentId: view.id, type: 'created', actor, data: { reference } },
      { incidentId: view.id, type: 'routed', actor, data: { dispatchedTo: routing.dispatchedTo } },
    ]);
    await this.outbox.add(
      manager,
      routing.dispatchedTo.map((state) => ({
        type: 'incident.routed' as const,
        party: state,
        incidentId: view.id,
        data: { incident: incidentViewFor(state, view) },
      })),
    );
    return view;
  }

  /** Gap-free per year: the counter row is incremented in this transaction and rolls back with it. */
  private async nextReference(manager: EntityManager): Promise<string> {
    const [row] = await sql<{ year: number; last_value: number }>(
      manager,
      `INSERT INTO reference_counters (year, last_value)
       VALUES (extract(year FROM now() AT TIME ZONE 'UTC')::int, 1)
       ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1
       RETURNING year, last_value`,
    );
    return formatReference(row.year, row.last_value);
  }

  /** The incident, its observables and its dispatches in one statement. */
  private async insert(
    manager: EntityManager,
    principal: Principal,
    input: NewIncident,
    reference: string,
    routing: RoutingDecision,
  ): Promise<IncidentRow> {
    const { dto, observables } = input;
    const ackSeconds = this.config.slaAckSeconds[dto.severity as Severity];
    const [row] = await sql<IncidentRow>(
      manager,
      `WITH incident AS (
         INSERT INTO incidents (id, reference, title, description, category, severity, tlp, sector,
           reporting_state, affected_states, suggested_states, occurred_at, detected_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12::timestamptz,
           $13::timestamptz, $14)
         RETURNING *
       ), observables AS (
         INSERT INTO incident_observables (incident_id, position, type, value)
         SELECT $1, o.position, o.type, o.value
         FROM unnest($15::int[], $16::text[], $17::text[]) AS o(position, type, value)
       ), dispatched AS (
         INSERT INTO dispatches (incident_id, state, status, escalation_level, ack_deadline)
         SELECT $1, s.state, 'pending', 0, now() + make_interval(secs => $19)
         FROM unnest($18::text[]) AS s(state)
       )
       SELECT * FROM incident`,
      [
        randomUUID(),
        reference,
        dto.title,
        dto.description ?? null,
        dto.category,
        dto.severity,
        dto.tlp,
        dto.sector,
        input.reportingState,
        input.affectedStates,
        routing.suggested,
        input.occurredAt,
        input.detectedAt,
        principal.keyId,
        observables.map((_, i) => i),
        observables.map((o) => o.type),
        observables.map((o) => o.value),
        routing.dispatchedTo,
        ackSeconds,
      ],
    );
    return row;
  }
}

/** An analyst files for its own state; a coordinator names the reporting state. */
export function reportingStateOf(principal: Principal, dto: CreateIncidentDto): string {
  if (principal.role === 'analyst') {
    if (dto.reportingState !== undefined && dto.reportingState !== principal.state) {
      throw Problem.validation([
        {
          field: 'reportingState',
          message: `must be omitted or your own state (${principal.state})`,
        },
      ]);
    }
    return principal.state;
  }
  if (!dto.reportingState) {
    throw Problem.validation([
      { field: 'reportingState', message: 'is required for coordinators' },
    ]);
  }
  return dto.reportingState;
}

/** ISO text → a UTC instant (date-only values are midnight UTC, never server-local). */
function toTimestamp(value: string | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) {
    throw Problem.validation([{ field, message: 'must be a valid ISO 8601 date-time' }]);
  }
  return instant.toISOString();
}
