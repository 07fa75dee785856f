import { Inject, Injectable } from '@nestjs/common';
import type { ChangeSet } from '../common/change-set.js';
import { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { msg } from '../i18n/i18n.js';
import { RoutingInput, RoutingService } from '../routing/routing.service.js';
import { periodSeconds } from '../vocabulary/vocabulary.js';
import { CreateIncidentDto } from './dto/create-incident.dto.js';
import { IdempotencyRequest, IdempotencyService, Outcome } from './idempotency.js';
import { IntakeBatcher } from './intake-batcher.js';
import { NewIncident } from './incident-payload.js';
import { Filed, intakeStatement } from './intake-statement.js';
import { normaliseObservables } from './observables.js';

/** Files an incident: validate, normalise, route (in memory), then one statement for all of it. */
@Injectable()
export class IntakeService {
  constructor(
    private readonly routing: RoutingService,
    private readonly idempotency: IdempotencyService,
    private readonly batcher: IntakeBatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    principal: Principal,
    dto: CreateIncidentDto,
    idempotency: IdempotencyRequest | null,
    /** Fragments written with the incident, in its statement (see intakeStatement). */
    extra?: (cs: ChangeSet) => void,
    options: FilingOptions = {},
  ): Promise<Outcome<unknown>> {
    const { input, routingInput } = prepareFiling(principal, dto, options);
    const ackSeconds = periodSeconds(this.config.slaAckSeconds, dto.severity);
    for (let attempt = 0; attempt < 3; attempt++) {
      const routed = await this.routing.decide(routingInput);
      const statement = intakeStatement(principal, input, routed, ackSeconds, idempotency, extra);
      let filed: Filed;
      try {
        filed = await this.batcher.run<Filed>(statement.text, statement.values);
      } catch (err) {
        if (!idempotency || !isIdempotencyConflict(err)) throw err;
        const stored = await this.idempotency.stored(principal.keyId, idempotency);
        if (stored) return stored;
        continue; // the key expired or was purged since: file again
      }
      if (!filed.keyValid) throw Problem.unauthorized();
      if (filed.reference === null) {
        await this.routing.outdated(routed.version); // the rules changed: route again
        continue;
      }
      return { status: 201, body: statement.answer(filed), replayed: false };
    }
    throw Problem.conflict(msg('problem.conflict.intakeRetry'));
  }
}

export interface FilingOptions {
  /**
   * The observables come from normaliseObservable already, without duplicates: an import's
   * mapping normalises each value to skip a bad one with its reason. Not done twice (20,000
   * values cost about 60 ms).
   */
  observablesNormalised?: boolean;
}

/**
 * Normalises a filing and says what routing needs; throws the 400 of a bad one. Writes
 * nothing: previews run exactly this too.
 */
export function prepareFiling(
  principal: Principal,
  dto: CreateIncidentDto,
  options: FilingOptions = {},
): { input: NewIncident; routingInput: RoutingInput } {
  const { observables, errors } = options.observablesNormalised
    ? { observables: dto.observables ?? [], errors: [] }
    : normaliseObservables(dto.observables ?? []);
  if (errors.length > 0) throw Problem.validation(errors);
  const input: NewIncident = {
    dto,
    reportingState: reportingStateOf(principal, dto),
    affectedStates: [...new Set(dto.affectedStates ?? [])].sort(),
    observables,
    occurredAt: toTimestamp(dto.occurredAt, 'occurredAt'),
    detectedAt: toTimestamp(dto.detectedAt, 'detectedAt'),
  };
  const routingInput = {
    reportingState: input.reportingState,
    affectedStates: input.affectedStates,
    tlp: dto.tlp,
    observables,
  };
  return { input, routingInput };
}

/** The filing statement failed because the Idempotency-Key already has a row. */
function isIdempotencyConflict(err: unknown): boolean {
  const e = ((err as { driverError?: unknown }).driverError ?? err) as {
    code?: string;
    table?: string;
  };
  return e.code === '23505' && e.table === 'idempotency_keys';
}

/** An analyst files for its own state; a coordinator names the reporting state. */
export function reportingStateOf(principal: Principal, dto: CreateIncidentDto): string {
  if (principal.role === 'analyst') {
    if (dto.reportingState !== undefined && dto.reportingState !== principal.state) {
      throw Problem.validation([
        { field: 'reportingState', message: msg('v.ownState', { state: principal.state }) },
      ]);
    }
    return principal.state;
  }
  if (!dto.reportingState) {
    throw Problem.validation([
      { field: 'reportingState', message: msg('v.requiredForCoordinators') },
    ]);
  }
  return dto.reportingState;
}

/** ISO text → a UTC instant (date-only values are midnight UTC, never server-local). */
function toTimestamp(value: string | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) {
    throw Problem.validation([{ field, message: msg('v.validDateTime') }]);
  }
  return instant.toISOString();
}
