import { MigrationInterface, QueryRunner } from 'typeorm';

// TypeORM 1.1 misreads the column order of composite indexes, so these live here.
const COMPOSITE_INDEXES = [
  ['incidents_created_idx', 'incidents', 'created_at, id'],
  ['incidents_status_created_idx', 'incidents', 'status, created_at, id'],
  ['incidents_reporting_created_idx', 'incidents', 'reporting_state, created_at, id'],
  ['timeline_events_incident_idx', 'timeline_events', 'incident_id, at, id'],
  ['reports_created_idx', 'reports', 'created_at, id'],
];

/**
 * What entity metadata cannot express: GiST and expression indexes, partial indexes,
 * the append-only trigger on the audit log, and the member-state seed.
 */
export class IndexesTriggersSeed1795745673372 implements MigrationInterface {
  name = 'IndexesTriggersSeed1795745673372';

  public async up(q: QueryRunner): Promise<void> {
    for (const [name, table, columns] of COMPOSITE_INDEXES) {
      await q.query(`CREATE INDEX ${name} ON ${table} (${columns})`);
    }
    await q.query(
      'CREATE INDEX constituency_cidrs_cidr_gist ON constituency_cidrs USING gist (cidr inet_ops)',
    );
    await q.query(
      `CREATE INDEX incidents_priority_idx ON incidents ((CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), created_at, id)`,
    );
    await q.query(
      `CREATE INDEX incidents_search_idx ON incidents USING gin (to_tsvector('simple', title || ' ' || coalesce(description, '')))`,
    );
    await q.query(
      'CREATE INDEX dispatches_deadline_idx ON dispatches (ack_deadline) WHERE ack_deadline IS NOT NULL',
    );
    await q.query('CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL');
    await q.query(
      "CREATE INDEX deliveries_pending_idx ON deliveries (next_attempt_at) WHERE status = 'pending'",
    );
    await q.query(
      "CREATE UNIQUE INDEX reports_period_unique ON reports (kind, period_from, audience) WHERE kind <> 'on-demand'",
    );
    await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    const states: [string, string, string[]][] = [
      ['AM', 'Armenia', ['am']],
      ['BY', 'Belarus', ['by']],
      ['KZ', 'Kazakhstan', ['kz']],
      ['KG', 'Kyrgyzstan', ['kg']],
      ['RU', 'Russia', ['ru', 'su', 'xn--p1ai']],
      ['TJ', 'Tajikistan', ['tj']],
    ];
    for (const [code, name, domains] of states) {
      await q.query('INSERT INTO member_states (code, name) VALUES ($1, $2)', [code, name]);
      for (const domain of domains) {
        await q.query('INSERT INTO constituency_domains (state_code, domain) VALUES ($1, $2)', [
          code,
          domain,
        ]);
      }
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM constituency_domains');
    await q.query('DELETE FROM member_states');
    await q.query('DROP TRIGGER audit_log_no_truncate ON audit_log');
    await q.query('DROP TRIGGER audit_log_no_update ON audit_log');
    await q.query('DROP FUNCTION audit_log_append_only()');
    await q.query('DROP INDEX reports_period_unique');
    await q.query('DROP INDEX deliveries_pending_idx');
    await q.query('DROP INDEX outbox_unpublished_idx');
    await q.query('DROP INDEX dispatches_deadline_idx');
    await q.query('DROP INDEX incidents_search_idx');
    await q.query('DROP INDEX incidents_priority_idx');
    await q.query('DROP INDEX constituency_cidrs_cidr_gist');
    for (const [name] of COMPOSITE_INDEXES) await q.query(`DROP INDEX ${name}`);
  }
}
