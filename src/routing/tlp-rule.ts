export interface RoutingDecision {
  /** States that get a dispatch. */
  dispatchedTo: string[];
  /** Constituency matches withheld by TLP:RED / TLP:AMBER+STRICT; shared with no one. */
  suggested: string[];
}

export interface TlpRuleInput {
  reportingState: string;
  affectedStates: string[];
  tlp: string;
  /** States whose constituency matched an observable. */
  matched: Iterable<string>;
}

/**
 * Labels under which every concerned state gets the incident. Anything else (TLP:RED,
 * TLP:AMBER+STRICT, or a label this code does not know) is restricted: fail closed.
 */
export const OPEN_TLP: ReadonlySet<string> = new Set(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER']);

/**
 * Concerned states = affectedStates ∪ matched − reporting state. Restricted labels dispatch
 * to affectedStates only and list the other matches as suggested; the rest dispatch to all.
 * Both lists are sorted and disjoint; the reporting state is in neither.
 */
export function applyTlpRule(input: TlpRuleInput): RoutingDecision {
  const affected = new Set(input.affectedStates);
  affected.delete(input.reportingState);
  const others = new Set<string>();
  for (const state of input.matched) {
    if (state !== input.reportingState && !affected.has(state)) others.add(state);
  }
  if (OPEN_TLP.has(input.tlp)) {
    return { dispatchedTo: [...affected, ...others].sort(), suggested: [] };
  }
  return { dispatchedTo: [...affected].sort(), suggested: [...others].sort() };
}
