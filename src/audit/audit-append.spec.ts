import pg from 'pg';
import { createTestEnv, PG_ADMIN_URL, TestEnv } from '../../test/support/service.js';
import { SqlParams } from '../common/sql.js';
import { prepareDatabase } from '../database/prepare-database.js';
import { auditAppendCtes, auditAppendStatement, AuditRecord } from './audit-append.js';
import { ChainVerifier, StoredEntry } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

// The SQL that auditAppendCtes builds runs on the real PostgreSQL, on the migrated schema;
// what it stores must pass the same verifier GET /api/v1/audit/verify uses.
describe('audit append SQL', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv('audit_append');
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${env.databaseName}"`);
    await admin.end();
    // The service's TypeORM creates it on connect; this spec loads no entities.
    await env.db.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    await prepareDatabase(env.databaseUrl);
  });
  afterAll(() => env.cleanup());

  const record = (reference: string): AuditRecord => ({
    actor: 'analyst:BY:"quoted" name',
    action: 'incident.created',
    targetType: 'incident',
    targetId: 'f0e0',
    change: { reference, routing: { dispatchedTo: ['KZ'] }, note: 'ünïcode \\ "' },
  });

  /** Like intake: the reference is numbered by the same statement and fills a hole. */
  async function appendGated(reference: string | null): Promise<void> {
    const params = new SqlParams();
    const ref = params.add(reference);
    const ctes = auditAppendCtes(params, (hole) => record(hole('ref')), {
      from: 'ref',
      values: { ref: 'ref.reference' },
    });
    await env.db.query(
      `WITH ref AS (SELECT ${ref}::text AS reference WHERE ${ref}::text IS NOT NULL), ${ctes}
       SELECT 1`,
      params.values,
    );
  }

  async function entries(): Promise<StoredEntry[]> {
    const { rows } = await env.db.query<StoredEntry>(
      `SELECT seq, id, at, actor, action, target_type AS "targetType", target_id AS "targetId",
              change, prev_hash AS "prevHash", hash
         FROM audit_log ORDER BY seq`,
    );
    return rows;
  }

  it('chains entries that the verifier accepts, holes filled by the database', async () => {
    const before = (await entries()).length;
    const standalone = auditAppendStatement(record('CCC-2026-000001'));
    await env.db.query(standalone.text, standalone.values);
    await appendGated('CCC-2026-000009');
    await env.db.query(standalone.text, standalone.values);

    const rows = await entries();
    expect(rows).toHaveLength(before + 3);
    const verifier = new ChainVerifier();
    rows.forEach((row) => verifier.check(row));
    expect(verifier.firstInvalid).toBeNull();
    expect(rows[before + 1].change).toBe(canonicalJson(record('CCC-2026-000009').change));
    expect(rows[before + 1].actor).toBe('analyst:BY:"quoted" name');
  });

  it('writes nothing when the gate has no row', async () => {
    const before = (await entries()).length;
    await appendGated(null);
    expect(await entries()).toHaveLength(before);
  });

  it('refuses holes outside the change', () => {
    expect(() =>
      auditAppendCtes(new SqlParams(), (hole) => ({
        actor: hole('who'),
        action: 'b',
        targetType: 'c',
        change: {},
      })),
    ).toThrow(/outside change/);
  });
});
