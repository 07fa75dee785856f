/** Longest wait between attempts, whatever the backoff or Retry-After says. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Delay before the next attempt after `attempts` failed ones: the base doubles each
 * time, plus up to 25 % random jitter so receivers recovering from an outage are not
 * hit by every sender at once.
 */
export function backoffDelay(baseMs: number, attempts: number, random = Math.random()): number {
  const exponential = baseMs * 2 ** Math.max(0, attempts - 1);
  return Math.min(MAX_RETRY_DELAY_MS, Math.round(exponential * (1 + 0.25 * random)));
}

/** `Retry-After` as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(MAX_RETRY_DELAY_MS, Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, at - now));
}
