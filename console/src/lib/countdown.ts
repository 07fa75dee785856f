/** Time left until a deadline, as a dispatch board shows it. */
export interface Countdown {
  overdue: boolean;
  /** Whole seconds left (negative once overdue). */
  seconds: number;
  /** `2d 03h`, `1h 05m`, `4m 09s`; overdue ones with a leading minus. */
  text: string;
}

export function countdown(deadline: string, now: number): Countdown {
  const seconds = Math.floor((Date.parse(deadline) - now) / 1000);
  const abs = Math.abs(seconds);
  const d = Math.floor(abs / 86400);
  const h = Math.floor((abs % 86400) / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}d ${two(h)}h` : h > 0 ? `${h}h ${two(m)}m` : `${m}m ${two(s)}s`;
  return { overdue: seconds < 0, seconds, text: seconds < 0 ? `−${text}` : text };
}
