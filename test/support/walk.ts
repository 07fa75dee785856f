import { Api } from './api.js';

/**
 * Walks any list of the API (`{items, nextCursor}`) page by page until `nextCursor` is
 * null, for the paging rule of the contract: every item that exists throughout the walk is
 * seen exactly once. A walk that does not end within `maxPages` fails (a cursor that does
 * not advance loops for ever).
 */
export interface WalkOptions {
  /** Path with its query, without limit and cursor: `/api/v1/incidents?sort=priority`. */
  path: string;
  limit: number;
  /** The identity of an item; `item.id` by default. */
  idOf?: (item: any) => string;
  maxPages: number;
  /** Awaited after each page: lets a concurrent writer land rows between pages. */
  between?: () => Promise<void>;
}

export async function walk(api: Api, options: WalkOptions): Promise<string[]> {
  const idOf = options.idOf ?? ((item: { id: string }) => item.id);
  const separator = options.path.includes('?') ? '&' : '?';
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    if (pages >= options.maxPages) {
      throw new Error(`${options.path} limit=${options.limit}: no end after ${pages} pages`);
    }
    const url: string = `${options.path}${separator}limit=${options.limit}${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    }`;
    const page = await api.get(url);
    if (page.status !== 200) throw new Error(`${url}: ${page.status} ${page.text}`);
    expect(page.body.items.length).toBeLessThanOrEqual(options.limit);
    seen.push(...page.body.items.map(idOf));
    cursor = page.body.nextCursor;
    if (!cursor) return seen;
    await options.between?.();
  }
}

/** Nothing twice; each of `expected` present (exactly once, then). */
export function expectEachOnce(seen: string[], expected: string[], label = '') {
  const twice = seen.filter((id, i) => seen.indexOf(id) !== i);
  expect({ label, twice }).toEqual({ label, twice: [] });
  const missing = expected.filter((id) => !seen.includes(id));
  expect({ label, missing }).toEqual({ label, missing: [] });
}

/**
 * A writer running concurrently with a walk: `write` is called again and again until
 * `stop()`. `landed()` resolves once at least one more write has completed since it was
 * called, so a walk can make sure rows arrive between its pages without fixed sleeps.
 */
export function concurrentWriter(write: (n: number) => Promise<unknown>) {
  let count = 0;
  let stopped = false;
  let failure: Error | null = null;
  const waiters: (() => void)[] = [];
  const loop = (async () => {
    while (!stopped) {
      try {
        await write(count);
      } catch (err) {
        failure = err instanceof Error ? err : new Error(JSON.stringify(err));
        stopped = true;
      }
      count++;
      waiters.splice(0).forEach((wake) => wake());
    }
  })();
  return {
    landed(): Promise<void> {
      if (stopped) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    /** Stops, and answers how many writes completed; rethrows a failed write. */
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      if (failure) throw failure;
      return count;
    },
  };
}
