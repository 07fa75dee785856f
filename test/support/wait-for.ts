/**
 * Polls `check` until it returns something other than undefined/false (or stops throwing),
 * then returns that. Tests wait on the condition they need, never on a fixed sleep: under
 * load a fixed sleep is either too short (flaky) or too long (slow).
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {},
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Completed runs of a background loop (ccc_background_runs_total) of each instance, summed. */
export async function loopRuns(urls: string[], loop: string): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`ccc_background_runs_total{loop="${loop}",outcome="done"}`));
    total += line ? Number(line.split(' ').pop()) : 0;
  }
  return total;
}

/**
 * A check that something did NOT happen needs proof that it had the chance: waits until each
 * named background loop has completed `n` more runs (summed over the instances) than now.
 */
export async function afterMoreRuns(urls: string[], loops: string[], n = 1): Promise<void> {
  for (const loop of loops) {
    const from = await loopRuns(urls, loop);
    await waitFor(async () => (await loopRuns(urls, loop)) >= from + n, {
      what: `${n} more run(s) of ${loop}`,
      timeoutMs: 60_000,
    });
  }
}
