import { Status, STATUSES, TERMINAL_STATUSES } from '../vocabulary/vocabulary.js';
import {
  checkTransition,
  isLegal,
  TRANSITIONS,
  TransitionInput,
  transitionEffect,
} from './transitions.js';

const ID = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

/** The contract's table, written out independently of TRANSITIONS. */
const LEGAL = new Set([
  'new>triaged',
  'triaged>in_progress',
  'in_progress>resolved',
  'resolved>closed',
  'resolved>in_progress',
  'new>rejected',
  'triaged>rejected',
  'in_progress>rejected',
  'new>duplicate',
  'triaged>duplicate',
  'in_progress>duplicate',
]);

/** A body that satisfies whatever the target needs. */
function complete(to: Status): TransitionInput {
  if (to === 'rejected') return { note: 'spam' };
  if (to === 'resolved') return { resolution: { summary: 'patched', lessonsLearned: 'patch' } };
  if (to === 'duplicate') return { duplicateOf: OTHER };
  return {};
}

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as [Status, Status]));

describe('state machine', () => {
  it('covers all 49 pairs', () => expect(pairs).toHaveLength(49));

  it.each(pairs)('%s → %s is legal exactly when the contract says so', (from, to) => {
    const legal = LEGAL.has(`${from}>${to}`);
    expect(isLegal(from, to)).toBe(legal);
    expect(checkTransition(from, to, complete(to), ID)).toEqual(
      legal ? { kind: 'ok' } : { kind: 'illegal' },
    );
  });

  it('reports illegality before missing fields', () => {
    expect(checkTransition('closed', 'rejected', {}, ID)).toEqual({ kind: 'illegal' });
    expect(checkTransition('duplicate', 'resolved', {}, ID)).toEqual({ kind: 'illegal' });
  });

  it('rejects unknown statuses', () => {
    expect(isLegal('new', 'open')).toBe(false);
    expect(isLegal('open', 'new')).toBe(false);
  });

  it('stops escalation in every status that has no way back to waiting, and resolved', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['closed', 'duplicate', 'rejected', 'resolved']);
    for (const status of STATUSES) {
      if (TRANSITIONS[status].length === 0) expect(TERMINAL_STATUSES).toContain(status);
    }
  });
});

describe('transition requirements', () => {
  const errorsOf = (from: Status, to: Status, input: TransitionInput) => {
    const check = checkTransition(from, to, input, ID);
    return check.kind === 'invalid' ? check.errors.map((e) => e.field) : [];
  };

  it('needs a non-blank note to reject', () => {
    expect(errorsOf('new', 'rejected', {})).toEqual(['note']);
    expect(errorsOf('triaged', 'rejected', { note: '   ' })).toEqual(['note']);
    expect(errorsOf('in_progress', 'rejected', { note: 'not ours' })).toEqual([]);
  });

  it('needs a resolution summary to resolve', () => {
    expect(errorsOf('in_progress', 'resolved', {})).toEqual(['resolution.summary']);
    expect(errorsOf('in_progress', 'resolved', { resolution: { lessonsLearned: 'x' } })).toEqual([
      'resolution.summary',
    ]);
    expect(errorsOf('in_progress', 'resolved', { resolution: { summary: '' } })).toEqual([
      'resolution.summary',
    ]);
  });

  it('needs duplicateOf naming another incident', () => {
    expect(errorsOf('new', 'duplicate', {})).toEqual(['duplicateOf']);
    expect(errorsOf('new', 'duplicate', { duplicateOf: ID })).toEqual(['duplicateOf']);
    expect(errorsOf('new', 'duplicate', { duplicateOf: ID.toUpperCase() })).toEqual([
      'duplicateOf',
    ]);
    expect(errorsOf('new', 'duplicate', { duplicateOf: OTHER })).toEqual([]);
  });

  it('refuses fields meant for another target', () => {
    expect(errorsOf('new', 'triaged', { duplicateOf: OTHER })).toEqual(['duplicateOf']);
    expect(errorsOf('resolved', 'closed', { resolution: { summary: 'x' } })).toEqual([
      'resolution',
    ]);
    expect(errorsOf('new', 'triaged', { note: 'notes are welcome anywhere' })).toEqual([]);
  });
});

describe('transition effects', () => {
  it('stores the resolution and its time when resolving', () => {
    expect(
      transitionEffect('in_progress', 'resolved', {
        resolution: { summary: ' fixed ', lessonsLearned: ' patch sooner ' },
      }),
    ).toEqual({ resolutionSummary: 'fixed', lessonsLearned: 'patch sooner', resolvedAt: 'now' });
    expect(
      transitionEffect('in_progress', 'resolved', { resolution: { summary: 'fixed' } }),
    ).toEqual({ resolutionSummary: 'fixed', lessonsLearned: null, resolvedAt: 'now' });
  });

  it('clears resolvedAt but keeps the text when reopening', () => {
    expect(transitionEffect('resolved', 'in_progress', {})).toEqual({ resolvedAt: null });
  });

  it('links the original of a duplicate', () => {
    expect(transitionEffect('new', 'duplicate', { duplicateOf: OTHER.toUpperCase() })).toEqual({
      duplicateOf: OTHER,
    });
  });

  it('changes nothing else on the plain steps', () => {
    expect(transitionEffect('new', 'triaged', {})).toEqual({});
    expect(transitionEffect('resolved', 'closed', {})).toEqual({});
    expect(transitionEffect('triaged', 'rejected', { note: 'x' })).toEqual({});
  });
});
