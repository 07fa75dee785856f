import { render } from '../i18n/i18n.js';
import {
  parseInstant,
  periodProblem,
  previousIsoWeek,
  previousMonth,
  scheduledPeriod,
} from './report-periods.js';

const iso = (p: { from: Date; to: Date }) => [p.from.toISOString(), p.to.toISOString()];

describe('report periods', () => {
  it('takes the previous ISO week from any moment of the current one', () => {
    const week = ['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'];
    // Monday 00:00 exactly (the default schedule), mid-week, and Sunday's last millisecond.
    expect(iso(previousIsoWeek(new Date('2026-03-09T00:00:00.000Z')))).toEqual(week);
    expect(iso(previousIsoWeek(new Date('2026-03-11T13:45:00.000Z')))).toEqual(week);
    expect(iso(previousIsoWeek(new Date('2026-03-15T23:59:59.999Z')))).toEqual(week);
  });

  it('crosses year boundaries by ISO weeks, not calendar years', () => {
    // 2027-01-01 is a Friday: the week before runs Mon 2026-12-21 to Mon 2026-12-28.
    expect(iso(previousIsoWeek(new Date('2027-01-01T10:00:00Z')))).toEqual([
      '2026-12-21T00:00:00.000Z',
      '2026-12-28T00:00:00.000Z',
    ]);
  });

  it('takes the previous calendar month, including January and leap February', () => {
    expect(iso(previousMonth(new Date('2026-01-01T00:00:00Z')))).toEqual([
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    expect(iso(previousMonth(new Date('2028-03-31T23:59:59.999Z')))).toEqual([
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    expect(iso(scheduledPeriod('monthly', new Date('2026-07-15T08:00:00Z')))).toEqual([
      '2026-06-01T00:00:00.000Z',
      '2026-07-01T00:00:00.000Z',
    ]);
  });

  it('gives the same period however often the schedule fires within one week or month', () => {
    const fires = Array.from(
      { length: 50 },
      (_, i) => new Date(Date.UTC(2026, 4, 4) + i * 2 * 3600 * 1000),
    );
    expect(new Set(fires.map((f) => iso(scheduledPeriod('weekly', f)).join()))).toHaveProperty(
      'size',
      1,
    );
    expect(new Set(fires.map((f) => iso(scheduledPeriod('monthly', f)).join()))).toHaveProperty(
      'size',
      1,
    );
  });

  it('accepts from < to within 366 days and explains anything else', () => {
    const d = (s: string) => new Date(s);
    expect(periodProblem({ from: d('2026-01-01'), to: d('2026-02-01') })).toBeNull();
    expect(periodProblem({ from: d('2024-01-01'), to: d('2025-01-01') })).toBeNull(); // 366 days
    const english = (p: Parameters<typeof periodProblem>[0]) => {
      const problem = periodProblem(p);
      return problem ? render('en', problem) : null;
    };
    expect(english({ from: d('2026-01-01'), to: d('2026-01-01') })).toMatch(/later/);
    expect(english({ from: d('2026-02-01'), to: d('2026-01-01') })).toMatch(/later/);
    expect(english({ from: d('2025-01-01'), to: d('2026-01-03') })).toMatch(/366/);
  });

  it('parses dates as UTC and refuses local times and impossible dates', () => {
    expect(parseInstant('2026-05-01')?.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(parseInstant('2026-05-01T10:30+03:00')?.toISOString()).toBe('2026-05-01T07:30:00.000Z');
    expect(parseInstant('2026-05-01T10:30:15.5Z')?.toISOString()).toBe('2026-05-01T10:30:15.500Z');
    for (const bad of [
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-05-01T10:30',
      '2026-05-01T24:00Z',
      'May 1',
      '',
    ]) {
      expect(parseInstant(bad)).toBeNull();
    }
    expect(parseInstant('2028-02-29')).not.toBeNull();
  });
});
