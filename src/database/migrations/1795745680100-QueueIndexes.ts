import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coordinators' queue, `status=… & sort=priority` (critical first, then oldest): with
 * only (priority, created_at, id) a page filters its way through every other status.
 * Same priority expression as incidents_priority_idx and IncidentsRepository.
 */
export class QueueIndexes1795745680100 implements MigrationInterface {
  name = 'QueueIndexes1795745680100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX incidents_status_priority_idx ON incidents (status, (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), created_at, id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX incidents_status_priority_idx');
  }
}
