import { backoffDelay, MAX_RETRY_DELAY_MS, parseRetryAfter } from './retry-policy.js';

describe('backoffDelay', () => {
  it('starts at the base delay and doubles per failed attempt', () => {
    expect(backoffDelay(1000, 1, 0)).toBe(1000);
    expect(backoffDelay(1000, 2, 0)).toBe(2000);
    expect(backoffDelay(1000, 4, 0)).toBe(8000);
  });

  it('adds at most 25 % jitter', () => {
    expect(backoffDelay(1000, 3, 0.999)).toBeLessThanOrEqual(5000);
    expect(backoffDelay(1000, 3, 0.5)).toBe(4500);
  });

  it('is capped', () => {
    expect(backoffDelay(1000, 40, 0)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values and caps long ones', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('999999', now)).toBe(MAX_RETRY_DELAY_MS);
  });
});
