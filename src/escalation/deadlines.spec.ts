import { jobDelay, scheduleHorizonMs, withinHorizon } from './deadlines.js';

const sla = { critical: 900, high: 3600, medium: 14400, low: 86400 };

describe('deadline arithmetic', () => {
  it('delays a job until its deadline and never below zero', () => {
    const deadline = new Date(10_000);
    expect(jobDelay(deadline, 7_500)).toBe(2_500);
    expect(jobDelay(deadline, 10_000)).toBe(0);
    expect(jobDelay(deadline, 12_000)).toBe(0);
  });

  it('holds a job only for deadlines inside the horizon', () => {
    expect(withinHorizon(new Date(1_000 + 60_000), 1_000, 60_000)).toBe(true);
    expect(withinHorizon(new Date(1_000 + 60_001), 1_000, 60_000)).toBe(false);
    expect(withinHorizon(new Date(0), 1_000, 60_000)).toBe(true);
    expect(withinHorizon(null, 1_000, 60_000)).toBe(false);
  });

  it('looks ahead a minute, or half the shortest period when that is shorter', () => {
    expect(scheduleHorizonMs(sla)).toBe(60_000);
    expect(scheduleHorizonMs({ critical: 2, high: 2, medium: 2, low: 2 })).toBe(1_000);
    expect(scheduleHorizonMs({ critical: 90, high: 3600, medium: 3600, low: 3600 })).toBe(45_000);
  });
});
