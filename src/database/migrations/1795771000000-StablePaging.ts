import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Paging (the one keyset paginator, src/common/pagination.ts):
 * - `severity_xid`: the transaction that last changed an incident's severity, kept by a
 *   trigger whatever code path changes it. Priority pages follow severity; a walk leaves out
 *   the incidents whose change its first page's snapshot did not see, so a reclassified
 *   incident is never listed twice.
 * - `status & severity & tlp` with the default sort (newest first) or by priority: one
 *   range of (status, severity, tlp, created_at, id) instead of filtering through every
 *   incident of the status (severity fixes the priority rank, so it serves both orders).
 */
export class StablePaging1795771000000 implements MigrationInterface {
  name = 'StablePaging1795771000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "incidents" ADD "severity_xid" bigint`);
    await q.query(`CREATE FUNCTION incidents_severity_xid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.severity_xid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$`);
    await q.query(`CREATE TRIGGER incidents_severity_xid BEFORE UPDATE OF severity ON incidents
      FOR EACH ROW WHEN (OLD.severity IS DISTINCT FROM NEW.severity)
      EXECUTE FUNCTION incidents_severity_xid()`);
    await q.query(
      'CREATE INDEX incidents_status_severity_tlp_created_idx ON incidents (status, severity, tlp, created_at, id)',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX incidents_status_severity_tlp_created_idx');
    await q.query('DROP TRIGGER incidents_severity_xid ON incidents');
    await q.query('DROP FUNCTION incidents_severity_xid()');
    await q.query(`ALTER TABLE "incidents" DROP COLUMN "severity_xid"`);
  }
}
