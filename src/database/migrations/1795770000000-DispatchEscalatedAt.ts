import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `dispatches.escalated_at`: when the dispatch last escalated, kept by the dispatch itself
 * (a recomputed deadline starts from it) instead of being looked up in the timeline's JSON.
 * Filled from the `escalated` timeline entries written so far.
 */
export class DispatchEscalatedAt1795770000000 implements MigrationInterface {
  name = 'DispatchEscalatedAt1795770000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatches" ADD "escalated_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`UPDATE dispatches d SET escalated_at = t.at
      FROM (SELECT incident_id, data->>'state' AS state, max(at) AS at
              FROM timeline_events WHERE type = 'escalated' GROUP BY 1, 2) t
     WHERE d.incident_id = t.incident_id AND d.state = t.state`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dispatches" DROP COLUMN "escalated_at"`);
  }
}
