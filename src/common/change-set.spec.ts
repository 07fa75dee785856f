import { ChangeSet } from './change-set.js';

describe('ChangeSet', () => {
  it('numbers parameters across fragments and joins the CTEs in order', () => {
    const cs = new ChangeSet();
    cs.with('a', `INSERT INTO t (x) VALUES (${cs.add('one')}) RETURNING id`);
    cs.with('b', `SELECT id FROM a WHERE id = ${cs.add(2)}`, { materialized: true });
    const { text, values } = cs.statement('b.id', 'b');
    expect(text).toBe(
      'WITH a AS (INSERT INTO t (x) VALUES ($1) RETURNING id),\n' +
        'b AS MATERIALIZED (SELECT id FROM a WHERE id = $2)\n' +
        'SELECT b.id\nFROM b',
    );
    expect(values).toEqual(['one', 2]);
  });

  it('selects its effects after the columns, so they run once with the statement', () => {
    const cs = new ChangeSet();
    cs.with('a', 'DELETE FROM t RETURNING 1');
    cs.effect("SELECT pg_notify('c', '')");
    expect(cs.statement().text).toBe(
      "WITH a AS (DELETE FROM t RETURNING 1)\nSELECT true AS written, (SELECT pg_notify('c', '')) IS NULL",
    );
  });

  it('refuses a CTE name twice, and names that are not plain identifiers', () => {
    const cs = new ChangeSet();
    cs.withCtes(['x', 'y'], 'x AS (SELECT 1), y AS (SELECT 2)');
    expect(cs.has('y')).toBe(true);
    expect(() => cs.with('x', 'SELECT 3')).toThrow(/already/);
    expect(() => cs.with('x; DROP', 'SELECT 3')).toThrow(/bad CTE name/);
  });

  it('runs nothing when empty', async () => {
    const cs = new ChangeSet();
    expect(cs.empty).toBe(true);
    const db = {
      query: () => {
        throw new Error('must not be called');
      },
    };
    await expect(cs.run(db as never)).resolves.toEqual([]);
  });
});
