import type { SlaPeriods } from '../vocabulary/vocabulary.js';

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
export function scheduleHorizonMs(sla: SlaPeriods): number {
  return Math.min(MAX_HORIZON_MS, (Math.min(...Object.values(sla)) * 1000) / 2);
}
