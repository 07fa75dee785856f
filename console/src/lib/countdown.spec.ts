import { countdown } from './countdown.js';

describe('countdown', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  it('shows the time left in the largest units', () => {
    expect(countdown('2026-11-29T10:04:09Z', now)).toEqual({
      overdue: false,
      seconds: 249,
      text: '4m 09s',
    });
    expect(countdown('2026-11-29T11:05:00Z', now).text).toBe('1h 05m');
    expect(countdown('2026-12-01T13:00:00Z', now).text).toBe('2d 03h');
  });
  it('marks what is past its deadline', () => {
    expect(countdown('2026-11-29T09:57:00Z', now)).toEqual({
      overdue: true,
      seconds: -180,
      text: '−3m 00s',
    });
  });
});
