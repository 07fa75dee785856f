import type { DataSource, EntityManager } from 'typeorm';
import { sql, SqlParams } from './sql.js';
import type { ParamSink } from './text-template.js';

/** A statement's text and positional values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Writes to several tables as ONE statement. Each module that owns a table provides the
 * fragment that writes it (a function adding its CTEs here: the timeline, the outbox, the
 * audit chain, the dispatches); a service or the intake fast path adds the fragments of a
 * change and runs them in one round trip. So how a table is written lives in one place,
 * whoever composes the change.
 *
 * A fragment may gate on a FROM item of an earlier fragment (`from: 'ref'`): no row there,
 * nothing written. Data-modifying CTEs always run, referenced or not; a plain SELECT with a
 * side effect (pg_notify) is added with `effect()` and evaluated by the final SELECT.
 */
export class ChangeSet implements ParamSink {
  private readonly params = new SqlParams();
  private readonly ctes: string[] = [];
  private readonly names = new Set<string>();
  private readonly effects: string[] = [];

  /** A parameter: returns `$n`. */
  add(value: unknown): string {
    return this.params.add(value);
  }

  get values(): unknown[] {
    return this.params.values;
  }

  /**
   * Adds `name AS (body)`. A name may appear once per statement. `materialized`: computed
   * once however often it is read (a row that gates and feeds later fragments).
   */
  with(name: string, body: string, options: { materialized?: boolean } = {}): this {
    const as = options.materialized ? 'AS MATERIALIZED' : 'AS';
    return this.withCtes([name], `${name} ${as} (${body})`);
  }

  /** Adds ready-made CTE text that defines `names` (e.g. auditAppendCtes). */
  withCtes(names: string[], text: string): this {
    for (const name of names) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad CTE name ${name}`);
      if (this.names.has(name)) throw new Error(`CTE ${name} is already in this change set`);
      this.names.add(name);
    }
    this.ctes.push(text);
    return this;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** An expression the final SELECT evaluates for its side effect (its value is ignored). */
  effect(expr: string): this {
    this.effects.push(`(${expr}) IS NULL`);
    return this;
  }

  get empty(): boolean {
    return this.ctes.length === 0 && this.effects.length === 0;
  }

  /**
   * The statement: `WITH <fragments> SELECT <columns>, <effects> [FROM <from>]`. Without
   * columns it selects `true AS written`.
   */
  statement(columns = 'true AS written', from?: string): Statement {
    const select = [columns, ...this.effects].join(', ');
    const head = this.ctes.length > 0 ? `WITH ${this.ctes.join(',\n')}\n` : '';
    return { text: `${head}SELECT ${select}${from ? `\nFROM ${from}` : ''}`, values: this.values };
  }

  /** Runs the statement in the caller's transaction (or on its own); nothing when empty. */
  async run<T = Record<string, unknown>>(
    db: DataSource | EntityManager,
    columns?: string,
    from?: string,
  ): Promise<T[]> {
    if (this.empty) return [];
    const { text, values } = this.statement(columns, from);
    return sql<T>(db, text, values);
  }
}
