import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit list filters by target (an incident's history), actor and time, newest first
 * by seq; without these each filter scans the whole log, which grows with every change.
 */
export class AuditIndexes1795745679100 implements MigrationInterface {
  name = 'AuditIndexes1795745679100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX audit_log_target_idx ON audit_log (target_id, seq)');
    await q.query('CREATE INDEX audit_log_actor_idx ON audit_log (actor, seq)');
    await q.query('CREATE INDEX audit_log_at_idx ON audit_log (at)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit_log_at_idx');
    await q.query('DROP INDEX audit_log_actor_idx');
    await q.query('DROP INDEX audit_log_target_idx');
  }
}
