import { isKeyValue, isSnapshot, Keyset, keyset } from './pagination.js';
import { Problem } from './problem.js';
import { SqlParams } from './sql.js';

const NEWEST = keyset({
  name: 'things:-createdAt',
  direction: 'desc',
  columns: [
    { sql: 't.created_at', type: 'timestamp' },
    { sql: 't.id', type: 'uuid' },
  ],
});
const RANKED = keyset({
  name: 'things:rank',
  direction: 'asc',
  columns: [
    { sql: 't.rank', type: 'int' },
    { sql: 't.id', type: 'uuid' },
  ],
  changedBy: 't.rank_xid',
});

const AT = '2026-03-01T10:20:30.123456Z';
const ID = '0b9f6c2e-8f1a-4c3e-9d2b-5a6e7f8091a2';
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The 400 problem naming `cursor` that every list answers to a cursor it did not issue. */
function expectRefused(ks: Keyset, cursor: string) {
  let thrown: unknown;
  try {
    ks.decode(cursor);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Problem);
  const problem = thrown as Problem;
  expect(problem.getStatus()).toBe(400);
  expect(problem.errors).toEqual([{ field: 'cursor', message: { key: 'v.cursor' } }]);
}

/** A page as the SQL returns it: rows carrying their key as `_k0`, `_k1`. */
const row = (n: number) => ({ n, _k0: `2026-03-01T10:20:30.00000${n}Z`, _k1: ID });

describe('Keyset cursors', () => {
  it('round-trip the key of the last row of a page, as text', () => {
    const page = NEWEST.page([row(1), row(2), row(3)], 2, undefined);
    expect(page.rows.map((r) => r.n)).toEqual([1, 2]);
    expect(NEWEST.decode(page.nextCursor!)).toEqual({
      values: ['2026-03-01T10:20:30.000002Z', ID],
    });
  });

  it('end the walk when the query returned no more than `limit` rows', () => {
    expect(NEWEST.page([row(1), row(2)], 2, undefined).nextCursor).toBeNull();
    expect(NEWEST.toPage([], 5, undefined, (r) => r).nextCursor).toBeNull();
  });

  it('are opaque (no readable key in the text) and first pages have none', () => {
    const cursor = NEWEST.encode({ values: [AT, ID] });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(ID);
    expect(NEWEST.decode(undefined)).toBeNull();
    expect(NEWEST.decode('')).toBeNull();
  });

  it('refuse what the service did not issue with a 400 naming `cursor`', () => {
    const forged = [
      'not a cursor',
      'abc$',
      base64('just text'),
      base64(null),
      base64([AT, ID]), // the previous format
      base64({ k: 'things:-createdAt', v: [AT] }),
      base64({ k: 'things:-createdAt', v: [AT, ID, ID] }),
      base64({ k: 'other-list', v: [AT, ID] }),
      base64({ k: 'things:-createdAt', v: [AT, ID], extra: 1 }),
      base64({ k: 'things:-createdAt', v: [AT, ID], s: '1:1:' }),
      base64({ k: 'things:-createdAt', v: [ID, AT] }),
      base64({ k: 'things:-createdAt', v: ['2026-03-01T10:20:30.123Z', ID] }),
      base64({ k: 'things:-createdAt', v: ['2026-02-30T10:20:30.123456Z', ID] }),
      base64({ k: 'things:-createdAt', v: ['9999-99-99T99:99:99.999999Z', ID] }),
      base64({ k: 'things:-createdAt', v: [AT, 'not-a-uuid'] }),
      base64({ k: 'things:-createdAt', v: [1, ID] }),
      base64({ k: 'things:rank', v: ['1', ID] }), // a changedBy walk needs its snapshot
      base64({ k: 'things:rank', v: ['99999999999', ID], s: '5:9:' }),
      base64({ k: 'things:rank', v: ['1', ID], s: '9:5:' }),
    ];
    for (const cursor of forged) expectRefused(cursor.includes('rank') ? RANKED : NEWEST, cursor);
    expectRefused(RANKED, base64({ k: 'things:rank', v: ['1', ID], s: "5:9:'; drop" }));
  });

  it('build one row comparison in the keyset direction, values as typed parameters', () => {
    const params = new SqlParams();
    params.add('filter');
    const cursor = NEWEST.encode({ values: [AT, ID] });
    expect(NEWEST.after(cursor, params)).toBe('(t.created_at, t.id) < ($2::timestamptz, $3::uuid)');
    expect(params.values).toEqual(['filter', AT, ID]);
    expect(NEWEST.after(undefined, new SqlParams())).toBe('TRUE');
    expect(NEWEST.orderBy).toBe('t.created_at DESC, t.id DESC');
    expect(NEWEST.select).toBe(
      `CASE WHEN isfinite(t.created_at) THEN to_char((t.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE (t.created_at)::text END AS _k0, (t.id)::text AS _k1`,
    );
  });

  it('keep the first page snapshot for the whole of a changedBy walk', () => {
    expect(RANKED.select).toContain('pg_current_snapshot()::text AS _walk_snapshot');
    const first = RANKED.page(
      [
        { _k0: '0', _k1: ID, _walk_snapshot: '10:12:10' },
        { _k0: '1', _k1: ID, _walk_snapshot: '10:12:10' },
      ],
      1,
      undefined,
    );
    expect(RANKED.decode(first.nextCursor!)).toEqual({ values: ['0', ID], snapshot: '10:12:10' });
    // A later page's statement has a newer snapshot: the walk keeps its first one.
    const second = RANKED.page(
      [
        { _k0: '2', _k1: ID, _walk_snapshot: '20:25:' },
        { _k0: '3', _k1: ID, _walk_snapshot: '20:25:' },
      ],
      1,
      first.nextCursor!,
    );
    expect(RANKED.decode(second.nextCursor!)?.snapshot).toBe('10:12:10');
    const params = new SqlParams();
    expect(RANKED.after(second.nextCursor!, params)).toBe(
      '(t.rank, t.id) > ($1::int, $2::uuid) AND (t.rank_xid IS NULL OR ' +
        'pg_visible_in_snapshot((t.rank_xid)::text::xid8, $3::pg_snapshot))',
    );
    expect(params.values).toEqual(['2', ID, '10:12:10']);
  });

  it('leave out rows any of whose parts changed unseen, for a changedByAny walk', () => {
    const DUE = keyset({
      name: 'things:due',
      direction: 'asc',
      columns: [
        { sql: `coalesce(k.due, 'infinity'::timestamptz)`, type: 'timestamp' },
        { sql: 't.id', type: 'uuid' },
      ],
      changedByAny: 'k.xids',
    });
    expect(DUE.select).toContain('pg_current_snapshot()::text AS _walk_snapshot');
    const first = DUE.page(
      [
        { _k0: 'infinity', _k1: ID, _walk_snapshot: '10:12:10' },
        { _k0: 'infinity', _k1: ID, _walk_snapshot: '10:12:10' },
      ],
      1,
      undefined,
    );
    expect(DUE.decode(first.nextCursor!)).toEqual({
      values: ['infinity', ID],
      snapshot: '10:12:10',
    });
    const params = new SqlParams();
    expect(DUE.after(first.nextCursor!, params).replace(/\s+/g, ' ')).toBe(
      `(coalesce(k.due, 'infinity'::timestamptz), t.id) > ($1::timestamptz, $2::uuid) AND ` +
        'NOT EXISTS (SELECT 1 FROM unnest(k.xids) AS walk_changed(xid) WHERE walk_changed.xid ' +
        'IS NOT NULL AND NOT pg_visible_in_snapshot((walk_changed.xid)::text::xid8, $3::pg_snapshot))',
    );
    // Its cursors need their snapshot.
    expectRefused(DUE, base64({ k: 'things:due', v: ['infinity', ID] }));
  });
});

describe('key values', () => {
  it.each([
    ['timestamp', AT, true],
    ['timestamp', '0001-01-01T00:00:00.000000Z', true],
    ['timestamp', '0000-01-01T00:00:00.000000Z', false],
    ['timestamp', '2026-03-01T24:00:00.000000Z', false],
    ['timestamp', '2026-03-01 10:20:30.123456+00', false],
    ['timestamp', 'infinity', true],
    ['timestamp', '-infinity', true],
    ['timestamp', 'Infinity', false],
    ['uuid', ID, true],
    ['uuid', ID.toUpperCase(), false],
    ['int', '-3', true],
    ['int', '2147483648', false],
    ['bigint', '9223372036854775807', true],
    ['bigint', '9223372036854775808', false],
    ['bigint', '1e5', false],
    ['text', 'BY', true],
    ['text', 'B\u0000Y', false],
    ['text', 'x'.repeat(501), false],
  ] as const)('%s %j → %s', (type, value, ok) => {
    expect(isKeyValue(type, value)).toBe(ok);
  });

  it.each([
    ['10:12:', true],
    ['10:12:10,11', true],
    ['10:10:', true],
    ['0:12:', false],
    ['12:10:', false],
    ['10:12:11,10', false],
    ['10:12:12', false],
    ['10:12:9', false],
    ['10:99999999999999999999:', false],
    ['10:12', false],
  ])('snapshot %j → %s', (value, ok) => {
    expect(isSnapshot(value)).toBe(ok);
  });
});
