import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { msg } from '../i18n/i18n.js';
import { Problem } from './problem.js';
import type { SqlParams } from './sql.js';

/**
 * The one keyset paginator every list uses.
 *
 * A list declares its order once, as a `Keyset`: a name, a direction and the columns of a
 * unique total order (a timestamp, then the id). The key columns are read from SQL as exact
 * text (timestamps with their microseconds, never through a JS Date), the cursor carries
 * that text, and the next page asks for the rows strictly after it with one row comparison
 * that the matching btree index serves. Paging until `nextCursor` is null therefore visits
 * every row that exists throughout the walk exactly once, whatever is inserted meanwhile.
 *
 * Cursors are opaque to clients (base64url JSON) and validated strictly on the way back:
 * the keyset's name, the number of values and each value's form are checked before any of
 * them reaches SQL, so a cursor the service did not issue is a 400 naming `cursor`, never a
 * 500 or an SQL error; a forged but well-formed one only selects a correct page.
 */

/** Room for a walk snapshot (see KeysetDefinition.changedBy) with many transactions running. */
const MAX_CURSOR_LENGTH = 4096;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * How a key value travels: `timestamp` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds)
 * or `infinity` / `-infinity` (an order that puts rows without a time last or first),
 * `uuid`, `int` / `bigint` as decimal text, `text` as is.
 */
export type KeyType = 'timestamp' | 'uuid' | 'int' | 'bigint' | 'text';

export interface KeyColumn {
  /** The SQL expression, as the query's FROM names it (`i.created_at`); also the ORDER BY term. */
  sql: string;
  type: KeyType;
}

export interface KeysetDefinition {
  /** Names the list and its order; a cursor issued for another keyset is refused. */
  name: string;
  direction: 'asc' | 'desc';
  /** Most significant first; together unique (end with the id). An index should match them. */
  columns: KeyColumn[];
  /**
   * For an order on a value that can change under a walk (priority follows severity): an
   * SQL expression giving the id (bigint) of the transaction that last changed that value,
   * or NULL if it never changed. The first page records its snapshot in the cursor; later
   * pages leave out every row changed by a transaction that snapshot did not see. So no row
   * is seen twice, and every row not changed during the walk is seen exactly once (a row
   * changed during the walk may be missed: it moved while the walk was under way).
   */
  changedBy?: string;
  /**
   * As `changedBy`, for a value computed from several rows (an incident's earliest dispatch
   * deadline): an SQL expression giving a bigint[] of the transactions that last changed each
   * of those rows (NULL entries and an empty or NULL array: never changed). A row is left out
   * when any of them is one the walk's snapshot did not see.
   */
  changedByAny?: string;
}

/** Key values of the last row (as text), and the snapshot of a `changedBy` walk. */
interface CursorState {
  values: string[];
  snapshot?: string;
}

const SNAPSHOT_COLUMN = '_walk_snapshot';
const SQL_TYPES: Record<KeyType, string> = {
  timestamp: 'timestamptz',
  uuid: 'uuid',
  int: 'int',
  bigint: 'bigint',
  text: 'text',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
const MAX_BIGINT = 2n ** 63n - 1n;
const MAX_INT = 2 ** 31 - 1;

/** `value` is a well-formed key of `type`, such that PostgreSQL's cast cannot fail. */
export function isKeyValue(type: KeyType, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  switch (type) {
    case 'uuid':
      return UUID.test(value);
    case 'int':
      return /^-?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= MAX_INT;
    case 'bigint':
      return (
        /^-?\d{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT && -BigInt(value) <= MAX_BIGINT
      );
    case 'text':
      return value.length <= 500 && !value.includes('\u0000');
    case 'timestamp': {
      if (value === 'infinity' || value === '-infinity') return true;
      const m = TIMESTAMP.exec(value);
      if (!m || m[1] === '0000') return false;
      // A real calendar instant: Date normalises 2026-02-30 to March, so compare back.
      const millis = Date.parse(`${value.slice(0, 23)}Z`);
      return Number.isFinite(millis) && new Date(millis).toISOString() === `${value.slice(0, 23)}Z`;
    }
  }
}

/** A pg_snapshot's text `xmin:xmax:xip,…` as PostgreSQL's input function accepts it. */
export function isSnapshot(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = /^(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?$/.exec(value);
  if (!m) return false;
  const xmin = BigInt(m[1]);
  const xmax = BigInt(m[2]);
  if (xmin === 0n || xmax > MAX_BIGINT || xmin > xmax) return false;
  let last = xmin;
  for (const xip of m[3] ? m[3].split(',').map(BigInt) : []) {
    if (xip < last || xip >= xmax) return false;
    last = xip;
  }
  return true;
}

function invalidCursor(): Problem {
  return Problem.validation([{ field: 'cursor', message: msg('v.cursor') }]);
}

/** A list's order: builds its SQL fragments and reads and writes its cursors. */
export class Keyset {
  constructor(readonly definition: KeysetDefinition) {
    if (definition.columns.length === 0) throw new Error(`keyset ${definition.name}: no columns`);
  }

  /**
   * Select-list fragment: each key column as exact text, `_k0`, `_k1`, …, and for a
   * `changedBy` keyset the statement's snapshot.
   */
  get select(): string {
    const keys = this.definition.columns.map(({ sql, type }, i) => {
      const text =
        type === 'timestamp'
          ? `CASE WHEN isfinite(${sql}) THEN to_char((${sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE (${sql})::text END`
          : `(${sql})::text`;
      return `${text} AS _k${i}`;
    });
    if (this.walksSnapshot) {
      keys.push(`pg_current_snapshot()::text AS ${SNAPSHOT_COLUMN}`);
    }
    return keys.join(', ');
  }

  /** Whether a walk keeps the snapshot of its first page (a key that can change under it). */
  private get walksSnapshot(): boolean {
    return Boolean(this.definition.changedBy || this.definition.changedByAny);
  }

  /** ORDER BY terms. */
  get orderBy(): string {
    const dir = this.definition.direction === 'asc' ? 'ASC' : 'DESC';
    return this.definition.columns.map((c) => `${c.sql} ${dir}`).join(', ');
  }

  /** Validates a client's cursor: null for the first page, a 400 problem if not ours. */
  decode(cursor: string | undefined): CursorState | null {
    if (cursor === undefined || cursor === '') return null;
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    const { name, columns } = this.definition;
    const walks = this.walksSnapshot;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw invalidCursor();
    }
    const { k, v, s, ...rest } = parsed as Record<string, unknown>;
    const valid =
      Object.keys(rest).length === 0 &&
      k === name &&
      Array.isArray(v) &&
      v.length === columns.length &&
      columns.every((c, i) => isKeyValue(c.type, v[i])) &&
      (walks ? isSnapshot(s) : s === undefined);
    if (!valid) throw invalidCursor();
    return { values: v as string[], ...(walks ? { snapshot: s as string } : {}) };
  }

  encode(state: CursorState): string {
    const body = {
      k: this.definition.name,
      v: state.values,
      ...(state.snapshot ? { s: state.snapshot } : {}),
    };
    return Buffer.from(JSON.stringify(body)).toString('base64url');
  }

  /**
   * The WHERE condition for the rows after `cursor` (a client's text, validated here), or
   * `TRUE` for the first page. Parameters go through `params`, never into the SQL text.
   */
  after(cursor: string | undefined, params: SqlParams): string {
    const state = this.decode(cursor);
    if (!state) return 'TRUE';
    const { columns, direction } = this.definition;
    const left = columns.map((c) => c.sql).join(', ');
    const right = columns
      .map((c, i) => `${params.add(state.values[i])}::${SQL_TYPES[c.type]}`)
      .join(', ');
    const position = `(${left}) ${direction === 'asc' ? '>' : '<'} (${right})`;
    if (!this.walksSnapshot) return position;
    return `${position} AND ${this.unchanged(cursor, params)}`;
  }

  /**
   * The part of `after` that leaves out the rows changed during a `changedBy` /
   * `changedByAny` walk (`TRUE` on a first page or for a keyset without either). For a
   * query that writes its own position condition from `decode` (a union of branches, each
   * served by its own index); `after` includes it.
   */
  unchanged(cursor: string | undefined, params: SqlParams): string {
    const state = this.decode(cursor);
    if (!state || !this.walksSnapshot) return 'TRUE';
    const { changedBy, changedByAny } = this.definition;
    const snapshot = `${params.add(state.snapshot)}::pg_snapshot`;
    const seen = (xid: string) => `pg_visible_in_snapshot((${xid})::text::xid8, ${snapshot})`;
    return changedBy
      ? `(${changedBy} IS NULL OR ${seen(changedBy)})`
      : `NOT EXISTS (SELECT 1 FROM unnest(${changedByAny}) AS walk_changed(xid)
                     WHERE walk_changed.xid IS NOT NULL AND NOT ${seen('walk_changed.xid')})`;
  }

  /**
   * Given the `limit + 1` rows the query fetched (with `select` in their select list), the
   * page's rows and the cursor after the last of them, null when there is no more.
   */
  page<R extends object>(
    rows: R[],
    limit: number,
    cursor: string | undefined,
  ): { rows: R[]; nextCursor: string | null } {
    if (rows.length <= limit) return { rows, nextCursor: null };
    const slice = rows.slice(0, limit);
    // The key as `select` names it: `_k0`, `_k1`, …
    const last = slice[slice.length - 1] as Record<string, unknown>;
    const values = this.definition.columns.map((_, i) => String(last[`_k${i}`]));
    // A walk keeps the snapshot of its first page, so "changed during the walk" stays fixed.
    const snapshot = this.walksSnapshot
      ? (this.decode(cursor)?.snapshot ?? String(last[SNAPSHOT_COLUMN]))
      : undefined;
    return { rows: slice, nextCursor: this.encode({ values, snapshot }) };
  }

  /** `page`, with the rows mapped to the items the list returns. */
  toPage<R extends object, T>(
    rows: R[],
    limit: number,
    cursor: string | undefined,
    map: (row: R) => T,
  ): Page<T> {
    const page = this.page(rows, limit, cursor);
    return { items: page.rows.map(map), nextCursor: page.nextCursor };
  }
}

export function keyset(definition: KeysetDefinition): Keyset {
  return new Keyset(definition);
}
