import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports select incidents resolved in a period and transitions to `rejected` in a period;
 * without these, both scan whole tables (a million incidents, ten times as many events).
 */
export class ReportIndexes1795745674372 implements MigrationInterface {
  name = 'ReportIndexes1795745674372';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX incidents_resolved_idx ON incidents (resolved_at) WHERE resolved_at IS NOT NULL',
    );
    await q.query(
      `CREATE INDEX timeline_events_transitioned_idx ON timeline_events (at) WHERE type = 'transitioned'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX timeline_events_transitioned_idx');
    await q.query('DROP INDEX incidents_resolved_idx');
  }
}
