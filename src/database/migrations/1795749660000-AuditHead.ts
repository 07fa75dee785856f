import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain's head row (see AuditHead), started from the log's newest entry. Instances
 * of the previous version append by reading the log's last row instead: stop them before
 * starting this one, or the two ways of appending fork the chain.
 */
export class AuditHead1795749660000 implements MigrationInterface {
  name = 'AuditHead1795749660000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_head" ("id" smallint NOT NULL DEFAULT '1', "seq" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_d3ed64edb3e208e83ccb5da589a" PRIMARY KEY ("id"))`,
    );
    // The lock the previous version's appends took: none can slip in between.
    await q.query('SELECT pg_advisory_xact_lock(727274002)');
    await q.query(
      `INSERT INTO audit_head (id, seq, at, prev_hash, hash)
       SELECT 1, coalesce(last.seq, 0), coalesce(last.at, 'epoch'),
              coalesce(last.prev_hash, repeat('0', 64)), coalesce(last.hash, repeat('0', 64))
       FROM (SELECT) AS one
       LEFT JOIN (SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1) AS last ON true`,
    );
    await q.query(`CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1
           AND NEW.prev_hash = OLD.hash AND NEW.at >= OLD.at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_head only moves one entry forward';
      END $$`);
    await q.query(`CREATE TRIGGER audit_head_step BEFORE UPDATE OR DELETE ON audit_head
      FOR EACH ROW EXECUTE FUNCTION audit_head_guard()`);
    await q.query(`CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_head_no_truncate ON audit_head');
    await q.query('DROP TRIGGER audit_head_step ON audit_head');
    await q.query('DROP FUNCTION audit_head_guard()');
    await q.query('DROP TABLE "audit_head"');
  }
}
