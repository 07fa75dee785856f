import type { Principal } from '../common/principal.js';
import type { NewIncident } from './incident-payload.js';
import { intakeStatement } from './intake-statement.js';

const principal = {
  keyId: '5f0c0b9e-8a7e-4c39-9e34-0d2f0e6c6a11',
  role: 'analyst',
  state: 'BY',
} as Principal;
const input = (title: string): NewIncident => ({
  dto: {
    title,
    description: 'd',
    category: 'fraud/phishing',
    severity: 'high',
    tlp: 'TLP:AMBER',
    sector: 'finance',
    affectedStates: ['KZ'],
  },
  reportingState: 'BY',
  affectedStates: ['KZ'],
  observables: [{ type: 'domain', value: 'evil.example' }],
  occurredAt: null,
  detectedAt: null,
});
const routed = (states: string[]) => ({
  decision: { dispatchedTo: states, suggested: [] },
  version: '7',
});

describe('intakeStatement', () => {
  it("composes every owner's fragment into one statement", () => {
    const { text } = intakeStatement(principal, input('t'), routed(['KZ']), 3600, {
      key: 'k',
      hash: 'h',
    });
    for (const cte of [
      'counter',
      'ref',
      'incident',
      'observables',
      'dispatched',
      'timeline',
      'outbox',
      'audit_moved',
      'audit_written',
      'answered',
    ]) {
      expect(text).toMatch(new RegExp(`\\b${cte} AS (MATERIALIZED )?\\(`));
    }
    expect(text).toContain("pg_notify('ccc_outbox', '')");
  });

  it('keeps one text per shape, whatever the values or the number of parties (prepared once)', () => {
    const a = intakeStatement(principal, input('a'), routed(['KZ']), 3600, null);
    const b = intakeStatement(principal, input("b'\\"), routed(['KG', 'KZ', 'TJ']), 900, null);
    expect(b.text).toBe(a.text);
    expect(b.values).not.toEqual(a.values);
    const none = intakeStatement(principal, input('a'), routed([]), 3600, null);
    expect(none.text).not.toContain('INSERT INTO outbox');
    expect(none.text).not.toContain('pg_notify');
  });
});
