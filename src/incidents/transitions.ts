import type { FieldError } from '../common/problem.js';
import { Status, STATUSES } from '../vocabulary/vocabulary.js';
import { msg } from '../i18n/i18n.js';

/**
 * The incident state machine of the contract, the one place it is written down:
 * new → triaged → in_progress → resolved → closed; resolved → in_progress reopens;
 * new|triaged|in_progress → rejected or duplicate. Everything else is illegal.
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  new: ['triaged', 'rejected', 'duplicate'],
  triaged: ['in_progress', 'rejected', 'duplicate'],
  in_progress: ['resolved', 'rejected', 'duplicate'],
  resolved: ['closed', 'in_progress'],
  closed: [],
  rejected: [],
  duplicate: [],
};

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

export function isLegal(from: string, to: string): boolean {
  return isStatus(from) && isStatus(to) && TRANSITIONS[from].includes(to);
}

/** What a transition request carries besides `to` (already shape-checked by the DTO). */
export interface TransitionInput {
  note?: string | null;
  resolution?: { summary?: string | null; lessonsLearned?: string | null } | null;
  duplicateOf?: string | null;
}

export type TransitionCheck =
  { kind: 'ok' } | { kind: 'illegal' } | { kind: 'invalid'; errors: FieldError[] };

const blank = (s: string | null | undefined) => s === undefined || s === null || s.trim() === '';

/**
 * Legality first (an illegal pair is 409 whatever the body says), then what the target
 * requires: a note to reject, a summary to resolve, the original to mark a duplicate.
 * Fields that belong to another target are refused rather than silently dropped.
 */
export function checkTransition(
  from: string,
  to: string,
  input: TransitionInput,
  incidentId: string,
): TransitionCheck {
  if (!isLegal(from, to)) return { kind: 'illegal' };
  const errors: FieldError[] = [];
  if (to === 'rejected' && blank(input.note)) {
    errors.push({ field: 'note', message: msg('v.noteToReject') });
  }
  if (to === 'resolved' && blank(input.resolution?.summary)) {
    errors.push({ field: 'resolution.summary', message: msg('v.summaryToResolve') });
  }
  if (to !== 'resolved' && input.resolution != null) {
    errors.push({ field: 'resolution', message: msg('v.resolutionOnlyResolved') });
  }
  if (to === 'duplicate') {
    if (blank(input.duplicateOf)) {
      errors.push({ field: 'duplicateOf', message: msg('v.duplicateOfRequired') });
    } else if (input.duplicateOf!.toLowerCase() === incidentId.toLowerCase()) {
      errors.push({ field: 'duplicateOf', message: msg('v.duplicateOfOther') });
    }
  } else if (input.duplicateOf != null) {
    errors.push({ field: 'duplicateOf', message: msg('v.duplicateOfOnlyDuplicate') });
  }
  return errors.length > 0 ? { kind: 'invalid', errors } : { kind: 'ok' };
}

/**
 * The columns a legal transition writes besides status. Resolving stores the resolution
 * and its time; reopening clears `resolved_at` but keeps the last resolution text (it is
 * replaced when the incident is resolved again); marking a duplicate links the original.
 */
export interface TransitionEffect {
  resolutionSummary?: string;
  lessonsLearned?: string | null;
  resolvedAt?: 'now' | null;
  duplicateOf?: string;
}

export function transitionEffect(
  from: Status,
  to: Status,
  input: TransitionInput,
): TransitionEffect {
  if (to === 'resolved') {
    return {
      resolutionSummary: input.resolution!.summary!.trim(),
      lessonsLearned: blank(input.resolution?.lessonsLearned)
        ? null
        : input.resolution!.lessonsLearned!.trim(),
      resolvedAt: 'now',
    };
  }
  if (from === 'resolved' && to === 'in_progress') return { resolvedAt: null };
  if (to === 'duplicate') return { duplicateOf: input.duplicateOf!.toLowerCase() };
  return {};
}
