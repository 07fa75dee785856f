import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source.js';
import { prepareDatabase } from '../src/database/prepare-database.js';
import { generateReportContent } from '../src/reports/report-queries.js';
import { createTestEnv, TestEnv } from './support/service.js';

/**
 * The schema as the migrations alone make it (what `.ci/run` and every start do), and SQL
 * that takes settings as parameters.
 */
describe('Schema and migrations', () => {
  let env: TestEnv;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await createTestEnv('schema');
    // A fresh database: created and migrated by prepareDatabase, as at first start.
    await prepareDatabase(env.databaseUrl);
    dataSource = new DataSource({ ...dataSourceOptions(env.databaseUrl, 2), logging: false });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await env?.cleanup();
  });

  const extensions = async () =>
    (await env.db.query('SELECT extname FROM pg_extension ORDER BY extname')).rows.map(
      (r: { extname: string }) => r.extname,
    );
  const uuidDefaults = async () =>
    (
      await env.db.query(
        `SELECT table_name, column_name, column_default FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type = 'uuid' AND column_default IS NOT NULL
          ORDER BY table_name, column_name`,
      )
    ).rows;

  it('makes what it needs itself: UUID defaults gen_random_uuid(), uuid-ossp by a migration', async () => {
    // uuid-ossp (uuid_generate_v5 in the outbox relay) comes from UuidDefaults1795770300100.
    expect(await extensions()).toEqual(['plpgsql', 'uuid-ossp']);
    const defaults = await uuidDefaults();
    expect(defaults.length).toBeGreaterThanOrEqual(10);
    for (const d of defaults) expect(d.column_default).toBe('gen_random_uuid()');
    // A row written without an id gets one.
    const [row] = (
      await env.db.query(
        `INSERT INTO reports (kind, period_from, period_to, audience, status)
         VALUES ('on-demand', now() - interval '1 day', now(), 'community', 'queued')
         RETURNING id`,
      )
    ).rows;
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    // The service's own connection (TypeORM) created nothing more.
    expect(await extensions()).toEqual(['plpgsql', 'uuid-ossp']);
  });

  it('moves a database made before to gen_random_uuid() defaults', async () => {
    // As an earlier version left it: uuid-ossp's function as the defaults.
    await env.db.query(
      'ALTER TABLE contacts ALTER COLUMN id SET DEFAULT uuid_generate_v4(); ' +
        'ALTER TABLE outbox ALTER COLUMN event_id SET DEFAULT uuid_generate_v4()',
    );
    await env.db.query("DELETE FROM migrations WHERE name = 'UuidDefaults1795770300100'");
    await prepareDatabase(env.databaseUrl);
    for (const d of await uuidDefaults()) expect(d.column_default).toBe('gen_random_uuid()');
  });

  it('passes the report statement timeout as a parameter, never as SQL text', async () => {
    const spec = {
      id: randomUUID(),
      kind: 'on-demand' as const,
      audience: 'community' as const,
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-02-01T00:00:00Z'),
    };
    // Spliced into SQL this would lift the limit (a second statement); as a value it is refused.
    await expect(
      generateReportContent(dataSource, spec, {
        statementTimeout: "1ms'; SET LOCAL statement_timeout = '0",
      }),
    ).rejects.toThrow(/invalid value for parameter "statement_timeout"/);
    await expect(generateReportContent(dataSource, spec)).resolves.toHaveProperty('counts');
  });
});
