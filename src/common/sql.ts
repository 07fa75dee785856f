import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs SQL and returns its rows. TypeORM answers UPDATE/DELETE with `[rows, count]`
 * and everything else with `rows`; this hides the difference.
 */
export async function sql<T = Record<string, unknown>>(
  db: DataSource | EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result: unknown = await db.query(text, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/**
 * Independent queries, with their results in order: side by side on a DataSource (each takes
 * its own pool connection), one after the other on a transaction's manager, whose single
 * connection runs one statement at a time (pg 8 queues the others and warns that pg 9 will
 * refuse them).
 */
export async function allQueries<T extends readonly (() => Promise<unknown>)[] | []>(
  db: DataSource | EntityManager,
  queries: T,
): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  type Results = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
  if ('queryRunner' in db && db.queryRunner) {
    const results: unknown[] = [];
    for (const query of queries) results.push(await query());
    return results as Results;
  }
  return (await Promise.all(queries.map((query) => query()))) as Results;
}

/** Positional parameters for one SQL statement, numbered as they are added. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A timestamptz as JSON/ISO 8601 text, milliseconds, `Z` (what `Date.toJSON` writes). */
export function isoMillisSql(expr: string): string {
  return `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A hot query outside any transaction, as a named prepared statement: parsed and planned
 * once per pooled connection instead of on every call. `name` must be unique per `text`.
 */
export async function prepared<T = Record<string, unknown>>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
