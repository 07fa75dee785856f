import { formatReference, REFERENCE_PATTERN } from './reference.js';

describe('formatReference', () => {
  it('pads the counter to six digits', () => {
    expect(formatReference(2026, 42)).toBe('CCC-2026-000042');
    expect(formatReference(2026, 1)).toBe('CCC-2026-000001');
    expect(formatReference(2026, 999999)).toBe('CCC-2026-999999');
  });

  it('keeps counting past a million rather than wrapping', () => {
    expect(formatReference(2027, 1000000)).toBe('CCC-2027-1000000');
    expect(REFERENCE_PATTERN.test(formatReference(2027, 1000000))).toBe(true);
  });

  it('rejects counters and years that cannot be references', () => {
    expect(() => formatReference(2026, 0)).toThrow(RangeError);
    expect(() => formatReference(2026, 1.5)).toThrow(RangeError);
    expect(() => formatReference(26, 1)).toThrow(RangeError);
  });
});
