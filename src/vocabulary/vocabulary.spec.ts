import {
  isTerminal,
  parseSla,
  periodSeconds,
  recomputedDeadline,
  STATUSES,
  TERMINAL_STATUSES,
} from './vocabulary.js';

const sla = { critical: 900, high: 3600, medium: 14400, low: 86400 };

describe('SLA arithmetic', () => {
  it('looks up the period of each severity and refuses unknown ones', () => {
    expect(periodSeconds(sla, 'critical')).toBe(900);
    expect(periodSeconds(sla, 'low')).toBe(86400);
    expect(() => periodSeconds(sla, 'urgent')).toThrow('urgent');
  });

  it('recomputes from the dispatch creation while nothing escalated', () => {
    const created = new Date('2026-03-01T10:00:00.000Z');
    expect(recomputedDeadline(created, null, 900).toISOString()).toBe('2026-03-01T10:15:00.000Z');
  });

  it('recomputes from the last escalation once there was one', () => {
    const created = new Date('2026-03-01T10:00:00.000Z');
    const escalated = new Date('2026-03-01T11:00:00.250Z');
    expect(recomputedDeadline(created, escalated, 3600).toISOString()).toBe(
      '2026-03-01T12:00:00.250Z',
    );
  });

  it('parses CCC_SLA_ACK_SECONDS only when every severity has a period', () => {
    expect(parseSla('low=4, critical=1,high=2,medium=3')).toEqual({
      critical: 1,
      high: 2,
      medium: 3,
      low: 4,
    });
    expect(parseSla('critical=1,high=2,medium=3')).toBeNull();
    expect(parseSla('urgent=1,critical=1,high=2,medium=3,low=4')).toBeNull();
    expect(parseSla('critical=0,high=2,medium=3,low=4')).toBeNull();
  });
});

describe('terminal statuses', () => {
  it('are statuses, and exactly the ones isTerminal names', () => {
    for (const status of TERMINAL_STATUSES) expect(STATUSES).toContain(status);
    expect(STATUSES.filter(isTerminal)).toEqual([...TERMINAL_STATUSES]);
  });
});
