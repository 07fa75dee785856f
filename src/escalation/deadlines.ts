import type { Severity } from '../config/env.schema.js';

/** Incidents in these statuses stop escalating: nobody is waiting for an acknowledgement. */
export const TERMINAL_STATUSES = ['resolved', 'closed', 'rejected', 'duplicate'] as const;

/** The acknowledgement period of a severity, in seconds. */
export function periodSeconds(sla: Record<Severity, number>, severity: string): number {
  const seconds = (sla as Record<string, number | undefined>)[severity];
  if (seconds === undefined) throw new Error(`No SLA period for severity "${severity}"`);
  return seconds;
}

/**
 * A pending deadline after a severity change: one new period after the last escalation,
 * or after the dispatch was created when it has not escalated yet.
 */
export function recomputedDeadline(
  createdAt: Date,
  lastEscalatedAt: Date | null,
  period: number,
): Date {
  const base = lastEscalatedAt ?? createdAt;
  return new Date(base.getTime() + period * 1000);
}

/** BullMQ delay of the job for a deadline; a deadline already past runs at once. */
export function jobDelay(deadline: Date, nowMs: number): number {
  return Math.max(0, deadline.getTime() - nowMs);
}

/** Whether a deadline is near enough to be held as a delayed job now. */
export function withinHorizon(deadline: Date | null, nowMs: number, horizonMs: number): boolean {
  return deadline !== null && deadline.getTime() <= nowMs + horizonMs;
}

/**
 * Deadlines closer than this are held as delayed jobs; later ones wait in PostgreSQL only.
 * A minute keeps the jobs a start or a Redis flush must re-create few (those of the next
 * minute, nearest first) while leaving the reconciler a wide margin.
 */
export const MAX_HORIZON_MS = 60_000;

/**
 * The scheduler's look-ahead: at most MAX_HORIZON_MS and at most half the shortest
 * period, so a deadline written as "now + period" (intake, escalation) always lies beyond
 * what the scheduler has already scanned, and the scan picks it up as it enters.
 */
export function scheduleHorizonMs(sla: Record<Severity, number>): number {
  return Math.min(MAX_HORIZON_MS, (Math.min(...Object.values(sla)) * 1000) / 2);
}
