import fc from 'fast-check';
import pg from 'pg';
import { sqlLiteral } from '../src/common/sql-literal.js';
import { PG_ADMIN_URL } from './support/service.js';

/**
 * The intake batcher sends filings as `EXECUTE name(<literals>)` in one simple-protocol
 * message. Every literal must reach PostgreSQL as exactly the value it came from: random
 * strings from all Unicode planes (NUL excepted: PostgreSQL text cannot hold it) and strings
 * made of quotes, backslashes and E'' look-alikes, alone and in arrays, read back by the
 * real server through a prepared statement as the batcher uses it. Seeded, so a failure
 * repeats; fast-check prints the smallest failing string.
 */
describe('SQL literals round-trip through PostgreSQL', () => {
  let client: pg.Client;
  const noNul = (s: string) => !s.includes('\0');
  const tricky = fc.string({
    unit: fc.constantFrom(
      "'",
      "''",
      '\\',
      "\\'",
      "E'",
      'e',
      '"',
      '{',
      '}',
      ',',
      'NULL',
      '$$',
      '\n',
      ' ',
      'ß',
      '😀',
    ),
  });
  const text = fc.oneof(fc.string({ unit: 'binary' }), tricky).filter(noNul);

  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    await client.query('PREPARE echo_text(text) AS SELECT $1 AS v');
    await client.query('PREPARE echo_array(text[]) AS SELECT $1 AS v');
  });
  afterAll(async () => {
    await client.end();
  });

  const echo = async (statement: string, value: unknown): Promise<unknown> => {
    // Simple protocol (no parameters), two statements in one message, as the batcher sends.
    const results = (await client.query(
      `EXECUTE ${statement}(${sqlLiteral(value)}); EXECUTE ${statement}(${sqlLiteral(value)})`,
    )) as unknown as pg.QueryResult[];
    expect(results[1].rows[0].v).toEqual(results[0].rows[0].v);
    return results[0].rows[0].v;
  };

  it('returns every string unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        expect(await echo('echo_text', s)).toBe(s);
      }),
      { seed: 1129, numRuns: 400 },
    );
  });

  it('returns every text array unchanged, NULL elements and "NULL" strings apart', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 6 }), async (a) => {
        expect(await echo('echo_array', a)).toEqual(a);
      }),
      { seed: 2026, numRuns: 300 },
    );
  });

  it('reads a literal cast to text the same way (SELECT <literal>::text)', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        const { rows } = await client.query(`SELECT ${sqlLiteral(s)}::text AS v`);
        expect(rows[0].v).toBe(s);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
