import { msg, type Msg } from '../i18n/i18n.js';

/** A half-open reporting period [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

const DAY_MS = 24 * 3600 * 1000;
export const MAX_SPAN_DAYS = 366;

/** The ISO week (Monday 00:00 UTC to Monday 00:00 UTC) before the one containing `at`. */
export function previousIsoWeek(at: Date): Period {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysSinceMonday = (at.getUTCDay() + 6) % 7;
  const thisMonday = midnight - daysSinceMonday * DAY_MS;
  return { from: new Date(thisMonday - 7 * DAY_MS), to: new Date(thisMonday) };
}

/** The calendar month (UTC) before the one containing `at`. */
export function previousMonth(at: Date): Period {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  return { from: new Date(Date.UTC(year, month - 1, 1)), to: new Date(Date.UTC(year, month, 1)) };
}

export function scheduledPeriod(kind: 'weekly' | 'monthly', firedAt: Date): Period {
  return kind === 'weekly' ? previousIsoWeek(firedAt) : previousMonth(firedAt);
}

/** Why a requested period is unusable, or null when it is fine. */
export function periodProblem(period: Period): Msg | null {
  const span = period.to.getTime() - period.from.getTime();
  if (!(span > 0)) return msg('v.periodOrder');
  if (span > MAX_SPAN_DAYS * DAY_MS) return msg('v.periodSpan', { days: MAX_SPAN_DAYS });
  return null;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A date (taken as UTC midnight) or a date-time with Z or an offset; null for anything
 * else, including impossible calendar dates (JavaScript would roll 2026-02-30 over).
 */
export function parseInstant(text: string): Date | null {
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) {
    return null;
  }
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}
