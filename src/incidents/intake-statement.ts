import { randomUUID } from 'node:crypto';
import { auditAppendCtes } from '../audit/audit-append.js';
import { actorOf, Principal } from '../common/principal.js';
import { isoMillisSql, SqlParams } from '../common/sql.js';
import { TextTemplate } from '../common/text-template.js';
import { OUTBOX_CHANNEL } from '../notifications/outbox.service.js';
import { Routed, rulesStillAt } from '../routing/routing.service.js';
import type { CreateIncidentDto } from './dto/create-incident.dto.js';
import type { IdempotencyRequest } from './idempotency.js';
import { newIncidentView, routedEventData } from './incident-payload.js';
import type { IncidentView } from './incident-view.js';
import type { Observable } from './observables.js';
import { REFERENCE_SQL } from './reference.js';
import { incidentViewFor } from './visibility.js';

export interface NewIncident {
  dto: CreateIncidentDto;
  reportingState: string;
  affectedStates: string[];
  observables: Observable[];
  occurredAt: string | null;
  detectedAt: string | null;
}

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
  ackSeconds: number,
  idempotency: IdempotencyRequest | null,
): IntakeStatement {
  const routing = routed.decision;
  const id = randomUUID();
  const actor = actorOf(principal);
  const view = (reference: string, createdAt: Date) =>
    newIncidentView(id, input, routing, reference, createdAt);
  const eventIds = routing.dispatchedTo.map(() => randomUUID());
  const [answer, ...payloads] = TextTemplate.buildAll((hole) => {
    // The marker stands in for a Date: JSON writes both as a string.
    const v = view(hole('reference'), hole('createdAt') as unknown as Date);
    return [
      JSON.stringify(incidentViewFor(principal, v)),
      ...routing.dispatchedTo.map((state, i) =>
        JSON.stringify({
          id: eventIds[i],
          type: 'incident.routed',
          occurredAt: hole('createdAt'),
          data: routedEventData(state, v),
        }),
      ),
    ];
  });

  const p = new SqlParams();
  const holes = { reference: 'ref.reference', createdAt: 'ref.created_at' };
  const { dto } = input;
  const ctes = [
    // The API key is checked here, with the write: the guard may have remembered it.
    `key_valid AS MATERIALIZED (
       SELECT EXISTS (SELECT 1 FROM api_keys
                      WHERE id = ${p.add(principal.keyId)}::uuid AND revoked_at IS NULL) AS ok)`,
    // Nothing is numbered or written for a revoked key, or if routing used outdated rules.
    `counter AS (
       INSERT INTO reference_counters (year, last_value)
       SELECT extract(year FROM now() AT TIME ZONE 'UTC')::int, 1
       WHERE (SELECT ok FROM key_valid) AND ${rulesStillAt(p.add(routed.version))}
       ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1
       RETURNING year, last_value)`,
    `ref AS MATERIALIZED (
       SELECT ${REFERENCE_SQL} AS reference, ${isoMillisSql('now()')} AS created_at FROM counter)`,
    `incident AS (
       INSERT INTO incidents (id, reference, title, description, category, severity, tlp, sector,
         reporting_state, affected_states, suggested_states, occurred_at, detected_at, created_by)
       SELECT ${p.add(id)}::uuid, ref.reference, ${p.add(dto.title)}, ${p.add(dto.description ?? null)},
         ${p.add(dto.category)}, ${p.add(dto.severity)}, ${p.add(dto.tlp)}, ${p.add(dto.sector)},
         ${p.add(input.reportingState)}, ${p.add(input.affectedStates)}::text[],
         ${p.add(routing.suggested)}::text[], ${p.add(input.occurredAt)}::timestamptz,
         ${p.add(input.detectedAt)}::timestamptz, ${p.add(principal.keyId)}::uuid
       FROM ref
       RETURNING id)`,
    `observables AS (
       INSERT INTO incident_observables (incident_id, position, type, value)
       SELECT i.id, o.position, o.type, o.value FROM incident i,
         unnest(${p.add(input.observables.map((_, n) => n))}::int[],
                ${p.add(input.observables.map((o) => o.type))}::text[],
                ${p.add(input.observables.map((o) => o.value))}::text[]) AS o(position, type, value))`,
    `dispatched AS (
       INSERT INTO dispatches (incident_id, state, status, escalation_level, ack_deadline)
       SELECT i.id, s.state, 'pending', 0, now() + make_interval(secs => ${p.add(ackSeconds)})
       FROM incident i, unnest(${p.add(routing.dispatchedTo)}::text[]) AS s(state))`,
    // Each entry its own microsecond, in order, as TimelineService.add writes them.
    `timeline AS (
       INSERT INTO timeline_events (incident_id, type, actor, data, at)
       SELECT i.id, e.type, ${p.add(actor)}, e.data,
         clock_timestamp() + (e.n - 1) * interval '1 microsecond'
       FROM incident i, ref, LATERAL (VALUES
         (1, 'created', jsonb_build_object('reference', ref.reference)),
         (2, 'routed', ${p.add(JSON.stringify({ dispatchedTo: routing.dispatchedTo }))}::jsonb)
       ) AS e(n, type, data))`,
  ];
  if (payloads.length > 0) {
    const rows = TextTemplate.sqlRows(payloads, p, (n) => `o.p${n}`, holes);
    ctes.push(`outbox AS (
       INSERT INTO outbox (event_id, type, party, incident_id, payload)
       SELECT o.event_id, 'incident.routed', o.party, i.id, ${rows.expr}::jsonb
       FROM incident i, ref, unnest(${p.add(eventIds)}::uuid[], ${p.add(routing.dispatchedTo)}::text[],
         ${rows.arrays.join(', ')})
         AS o(event_id, party, ${rows.arrays.map((_, n) => `p${n}`).join(', ')}))`);
  }
  const body = incidentViewFor(principal, view('', new Date(0)));
  ctes.push(
    auditAppendCtes(
      p,
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
    ),
  );
  if (idempotency) {
    const keyId = p.add(principal.keyId);
    const key = p.add(idempotency.key);
    // An expired key is taken over: deleted first, so the INSERT below does not conflict.
    ctes.push(
      `expired AS (
         DELETE FROM idempotency_keys
         WHERE api_key_id = ${keyId} AND key = ${key} AND expires_at <= now() RETURNING 1)`,
      `answered AS (
         INSERT INTO idempotency_keys (api_key_id, key, request_hash, expires_at, status_code, response)
         SELECT ${keyId}, ${key}, ${p.add(idempotency.hash)}, now() + ${IDEMPOTENCY_TTL}, 201,
           ${answer.sql(p, holes)}::jsonb
         FROM ref, (SELECT count(*) FROM expired) AS taken_over)`,
    );
  }
  const notify =
    payloads.length > 0 ? `, (SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM ref) IS NULL` : '';
  return {
    text: `WITH ${ctes.join(',\n')}
      SELECT key_valid.ok AS "keyValid", ref.reference, ref.created_at AS "createdAt"${notify}
      FROM key_valid LEFT JOIN ref ON true`,
    values: p.values,
    answer: ({ reference, createdAt }) =>
      incidentViewFor(principal, view(reference, new Date(createdAt))),
  };
}
