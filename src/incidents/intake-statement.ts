import { randomUUID } from 'node:crypto';
import { auditFragment } from '../audit/audit-append.js';
import { ChangeSet } from '../common/change-set.js';
import { actorOf, Principal } from '../common/principal.js';
import { isoMillisSql } from '../common/sql.js';
import { TextTemplate } from '../common/text-template.js';
import { dispatchesFragment } from '../dispatches/dispatches.service.js';
import { outboxFragment } from '../notifications/outbox.service.js';
import { Routed, rulesStillAt } from '../routing/routing.service.js';
import { timelineFragment } from '../timeline/timeline.service.js';
import type { IdempotencyRequest } from './idempotency.js';
import { NewIncident, newIncidentView, routedEventData } from './incident-payload.js';
import type { DispatchView, IncidentView } from './incident-view.js';
import { REFERENCE_SQL } from './reference.js';
import { incidentViewFor } from './visibility.js';

/** What only the database knows when it files the incident. */
export interface Numbered {
  reference: string;
  /** `created_at` as JSON text (ISO 8601, milliseconds). */
  createdAt: string;
}

/** The statement's one row: numbered, or why nothing was written. */
export type Filed =
  ({ keyValid: true } & Numbered) | { keyValid: boolean; reference: null; createdAt: null };

export interface IntakeStatement {
  text: string;
  values: unknown[];
  /** The API answer once the statement has numbered the incident. */
  answer(numbered: Numbered): IncidentView;
}

const IDEMPOTENCY_TTL = "interval '24 hours'";

/**
 * Filing as ONE statement, run outside an explicit transaction (autocommit): the counter row
 * (gap-free references) and the audit head are locked only while the server executes and
 * commits it, never across a round trip. It numbers the incident and writes the incident, its
 * observables, dispatches, timeline, outbox rows (+ NOTIFY, delivered at commit), audit entry
 * and stored idempotent answer. JSON the API or a party sees is built here with holes for the
 * reference and the clock, which SQL fills. A concurrent or earlier request with the same
 * Idempotency-Key makes the final INSERT fail on its primary key: the whole statement rolls
 * back (the counter with it), and the caller replays the stored answer. Nothing is written,
 * and no reference comes back, for a revoked API key or when the constituency rules changed
 * since routing decided.
 */
export function intakeStatement(
  principal: Principal,
  input: NewIncident,
  routed: Routed,
  /** The acknowledgement period of the incident's severity (vocabulary.periodSeconds). */
  ackSeconds: number,
  idempotency: IdempotencyRequest | null,
  /**
   * More fragments of the same statement, written only if the incident is (they read the
   * `incident` CTE: no row, nothing written): an import records its item here, so the item
   * and the incident commit together or not at all.
   */
  extra?: (cs: ChangeSet) => void,
): IntakeStatement {
  const routing = routed.decision;
  const id = randomUUID();
  const actor = actorOf(principal);
  // Dispatches are due one acknowledgement period after the filing (dispatchesFragment).
  const view = (reference: string, createdAt: Date, deadlineAt: Date) =>
    newIncidentView(id, input, routing, reference, createdAt, deadlineAt);
  /**
   * The view in a template, with holes for what only the database knows. The marker stands
   * in for a Date: JSON writes both as a string. The dispatches, with the deadline the
   * statement sets, are one JSON hole, so the text is the same whatever their number.
   */
  const templateView = (hole: (name: string) => string): IncidentView => ({
    ...view(hole('reference'), hole('createdAt') as unknown as Date, new Date(0)),
    dispatches: hole('dispatchesJson') as unknown as DispatchView[],
  });
  // The caller's answer.
  const answer = TextTemplate.build((hole) =>
    JSON.stringify(incidentViewFor(principal, templateView(hole))),
  );

  const cs = new ChangeSet();
  const holes = {
    reference: 'ref.reference',
    createdAt: 'ref.created_at',
    dispatchesJson: 'ref.dispatches_json',
  };
  const { dto } = input;
  // The incidents module's own tables: the counter, the incident, its observables.
  cs.with(
    // The API key (or a person's account) is checked here, with the write: the guard may
    // have remembered the key.
    'key_valid',
    `SELECT EXISTS (SELECT 1 FROM api_keys
                    WHERE id = ${cs.add(principal.keyId)}::uuid AND revoked_at IS NULL)
         OR EXISTS (SELECT 1 FROM users
                    WHERE id = ${cs.add(principal.keyId)}::uuid AND NOT disabled) AS ok`,
    { materialized: true },
  );
  // Nothing is numbered or written for a revoked key, or if routing used outdated rules.
  cs.with(
    'counter',
    `INSERT INTO reference_counters (year, last_value)
     SELECT extract(year FROM now() AT TIME ZONE 'UTC')::int, 1
     WHERE (SELECT ok FROM key_valid) AND ${rulesStillAt(cs.add(routed.version))}
     ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1
     RETURNING year, last_value`,
  );
  cs.with(
    'ref',
    // The dispatches as the API shows them: due one period from now (dispatchesFragment).
    `SELECT r.reference, r.created_at,
       (SELECT coalesce(json_agg(json_build_object('state', d.state, 'status', 'pending',
                 'notifiedAt', NULL, 'acknowledgedAt', NULL, 'escalationLevel', 0,
                 'deadlineAt', r.deadline_at) ORDER BY d.n), '[]'::json)::text
        FROM unnest(${cs.add(routing.dispatchedTo)}::text[]) WITH ORDINALITY AS d(state, n))
         AS dispatches_json
     FROM (SELECT ${REFERENCE_SQL} AS reference, ${isoMillisSql('now()')} AS created_at,
             ${isoMillisSql(`now() + make_interval(secs => ${cs.add(ackSeconds)})`)} AS deadline_at
           FROM counter) r`,
    { materialized: true },
  );
  cs.with(
    'incident',
    `INSERT INTO incidents (id, reference, title, description, category, severity, tlp, sector,
       reporting_state, affected_states, suggested_states, occurred_at, detected_at, created_by)
     SELECT ${cs.add(id)}::uuid, ref.reference, ${cs.add(dto.title)}, ${cs.add(dto.description ?? null)},
       ${cs.add(dto.category)}, ${cs.add(dto.severity)}, ${cs.add(dto.tlp)}, ${cs.add(dto.sector)},
       ${cs.add(input.reportingState)}, ${cs.add(input.affectedStates)}::text[],
       ${cs.add(routing.suggested)}::text[], ${cs.add(input.occurredAt)}::timestamptz,
       ${cs.add(input.detectedAt)}::timestamptz, ${cs.add(principal.keyId)}::uuid
     FROM ref
     RETURNING id`,
  );
  cs.with(
    'observables',
    `INSERT INTO incident_observables (incident_id, position, type, value)
     SELECT i.id, o.position, o.type, o.value FROM incident i,
       unnest(${cs.add(input.observables.map((_, n) => n))}::int[],
              ${cs.add(input.observables.map((o) => o.type))}::text[],
              ${cs.add(input.observables.map((o) => o.value))}::text[]) AS o(position, type, value)`,
  );
  // Every other table through the fragment of the module that owns it.
  dispatchesFragment(cs, {
    from: 'incident',
    incidentId: id,
    states: routing.dispatchedTo,
    periodSeconds: ackSeconds,
  });
  timelineFragment(
    cs,
    (hole) => [
      { incidentId: id, type: 'created', actor, data: { reference: hole('reference') } },
      { incidentId: id, type: 'routed', actor, data: { dispatchedTo: routing.dispatchedTo } },
    ],
    { from: 'incident, ref', values: holes },
  );
  outboxFragment(
    cs,
    (hole) => {
      const v = templateView(hole);
      return routing.dispatchedTo.map((state) => ({
        type: 'incident.routed' as const,
        party: state,
        incidentId: id,
        data: routedEventData(state, v),
      }));
    },
    { from: 'incident, ref', values: { ...holes, occurredAt: holes.createdAt } },
  );
  const body = incidentViewFor(principal, view('', new Date(0), new Date(0)));
  auditFragment(
    cs,
    (hole) => ({
      actor,
      action: 'incident.created',
      targetType: 'incident',
      targetId: id,
      change: {
        reference: hole('reference'),
        reportingState: body.reportingState,
        category: body.category,
        severity: body.severity,
        tlp: body.tlp,
        sector: body.sector,
        routing: body.routing,
      },
    }),
    { from: 'ref', values: holes },
  );
  extra?.(cs);
  if (idempotency) {
    const keyId = cs.add(principal.keyId);
    const key = cs.add(idempotency.key);
    // An expired key is taken over: deleted first, so the INSERT below does not conflict.
    cs.with(
      'expired',
      `DELETE FROM idempotency_keys
       WHERE api_key_id = ${keyId} AND key = ${key} AND expires_at <= now() RETURNING 1`,
    );
    cs.with(
      'answered',
      `INSERT INTO idempotency_keys (api_key_id, key, request_hash, expires_at, status_code, response)
       SELECT ${keyId}, ${key}, ${cs.add(idempotency.hash)}, now() + ${IDEMPOTENCY_TTL}, 201,
         ${answer.sql(cs, holes)}::jsonb
       FROM ref, (SELECT count(*) FROM expired) AS taken_over`,
    );
  }
  const { text, values } = cs.statement(
    'key_valid.ok AS "keyValid", ref.reference, ref.created_at AS "createdAt"',
    'key_valid LEFT JOIN ref ON true',
  );
  return {
    text,
    values,
    answer: ({ reference, createdAt }) =>
      incidentViewFor(
        principal,
        view(reference, new Date(createdAt), new Date(Date.parse(createdAt) + ackSeconds * 1000)),
      ),
  };
}
