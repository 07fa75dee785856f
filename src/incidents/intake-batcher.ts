import { Injectable, Logger } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { sqlLiteral } from '../common/sql-literal.js';

/**
 * Filings per round trip, and round trips in flight: one, as the counter row would order them
 * anyway, and filings that wait for it make the next batch bigger (fewer commits). Measured:
 * one in flight files about 10% more per second than two, at a lower p99
 * (README, "Intake performance").
 */
const MAX_BATCH = 32;
const MAX_IN_FLIGHT = 1;
/** Distinct statement texts to prepare per connection; more would mean a text varies per call. */
const MAX_PREPARED = 16;

interface Item {
  name: string;
  text: string;
  args: string;
  resolve: (row: Record<string, unknown>) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for intake. Each filing is one statement that holds the reference counter's
 * row lock until commit, so filings are serial and each would pay its own WAL flush. Filings
 * that arrive while others are in flight are sent together, as `EXECUTE`s of prepared
 * statements in one simple-protocol message: PostgreSQL runs them back to back in one
 * implicit transaction, with one commit (and one flush) for all, and no lock is held across a
 * round trip. All or nothing: if the batch fails with a database error, nothing of it was
 * written, and each filing is retried alone so only the failing one sees its error.
 */
@Injectable()
export class IntakeBatcher {
  private readonly logger = new Logger(IntakeBatcher.name);
  private readonly queue: Item[] = [];
  private inFlight = 0;
  private warned = false;
  private readonly names = new Map<string, string>();
  private readonly prepared = new WeakMap<pg.PoolClient, Set<string>>();

  constructor(private readonly dataSource: DataSource) {}

  /** Runs the statement (in a batch) and returns its first row. */
  async run<T>(text: string, values: unknown[]): Promise<T> {
    const name = this.nameOf(text);
    if (!name) {
      const rows: T[] = await this.dataSource.query(text, values);
      return rows[0];
    }
    const args = values.map(sqlLiteral).join(', '); // throws for this filing alone
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ name, text, args, resolve: (row) => resolve(row as T), reject });
      this.pump();
    });
  }

  private nameOf(text: string): string | null {
    let name = this.names.get(text);
    if (!name && this.names.size < MAX_PREPARED) {
      name = `intake_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    if (!name && !this.warned) {
      this.warned = true;
      this.logger.warn('more intake statement texts than expected; running the rest unprepared');
    }
    return name ?? null;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Item[]): Promise<void> {
    try {
      const rows = await this.execute(batch);
      batch.forEach((item, i) => item.resolve(rows[i]));
    } catch (err) {
      // A database error rolled the whole batch back: retry each alone to find its owner.
      // Anything else (a lost connection) may have committed: never retry blindly.
      if (batch.length > 1 && isDatabaseError(err)) {
        for (const item of batch) await this.send([item]);
      } else {
        batch.forEach((item) => item.reject(err));
      }
    }
  }

  private async execute(batch: Item[]): Promise<Record<string, unknown>[]> {
    const pool = (this.dataSource.driver as unknown as { master: pg.Pool }).master;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await this.prepare(client, batch);
      const text = batch.map((item) => `EXECUTE ${item.name}(${item.args})`).join(';\n');
      const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
      const results = Array.isArray(result) ? result : [result];
      return results.map((r) => r.rows[0] as Record<string, unknown>);
    } catch (err) {
      if (!isDatabaseError(err)) broken = err as Error; // the pool drops the connection
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** PREPARE on first use per connection; prepared statements live as long as it does. */
  private async prepare(client: pg.PoolClient, batch: Item[]): Promise<void> {
    let done = this.prepared.get(client);
    if (!done) this.prepared.set(client, (done = new Set()));
    for (const item of batch) {
      if (done.has(item.name)) continue;
      await client.query(`PREPARE ${item.name} AS ${item.text}`);
      done.add(item.name);
    }
  }
}

/**
 * An ERROR PostgreSQL answered a statement with: its transaction rolled back, the session
 * lives on. Not a FATAL (the session ended, maybe after a commit) nor a network error.
 */
export function isDatabaseError(err: unknown): boolean {
  const e = err as { severity?: unknown; code?: unknown } | null;
  return e?.severity === 'ERROR' && typeof e.code === 'string';
}
