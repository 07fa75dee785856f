import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The v2 incident list filters and orders (src/incidents/incidents.repository.ts):
 * - `incidents.updated_xid`: the transaction that last changed `updated_at`, kept by a trigger
 *   whatever code path changes it; a walk by `-updatedAt` leaves out what changed under it
 *   (as `severity_xid` does for priority), so no incident is listed twice.
 * - `dispatches.deadline_xid`: the transaction that created a dispatch or last changed its
 *   `ack_deadline`; a walk by `deadlineAt` (the earliest deadline of an incident's dispatches)
 *   leaves out the incidents whose deadlines moved under it.
 * - `incidents (updated_at, id)`: the `-updatedAt` order and `updatedSince`.
 * - `dispatches (incident_id) WHERE acknowledged_at IS NULL`: `awaitingAck` and `overdue`,
 *   a small index of what still waits, however many dispatches were acknowledged.
 * - `dispatches (state, ack_deadline) WHERE ack_deadline IS NOT NULL`: an analyst's
 *   `sort=deadlineAt` walks its own state's pending deadlines in order (the centre's walks
 *   dispatches_deadline_idx).
 */
export class ListFilters1795917000000 implements MigrationInterface {
  name = 'ListFilters1795917000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "incidents" ADD "updated_xid" bigint`);
    await q.query(`CREATE FUNCTION incidents_updated_xid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.updated_xid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$`);
    await q.query(`CREATE TRIGGER incidents_updated_xid BEFORE UPDATE OF updated_at ON incidents
      FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at)
      EXECUTE FUNCTION incidents_updated_xid()`);
    await q.query('CREATE INDEX incidents_updated_idx ON incidents (updated_at, id)');

    await q.query(`ALTER TABLE "dispatches" ADD "deadline_xid" bigint`);
    await q.query(`CREATE FUNCTION dispatches_deadline_xid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.deadline_xid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$`);
    await q.query(`CREATE TRIGGER dispatches_deadline_xid_insert BEFORE INSERT ON dispatches
      FOR EACH ROW EXECUTE FUNCTION dispatches_deadline_xid()`);
    await q.query(`CREATE TRIGGER dispatches_deadline_xid BEFORE UPDATE OF ack_deadline ON dispatches
      FOR EACH ROW WHEN (OLD.ack_deadline IS DISTINCT FROM NEW.ack_deadline)
      EXECUTE FUNCTION dispatches_deadline_xid()`);
    await q.query(
      'CREATE INDEX dispatches_unacknowledged_idx ON dispatches (incident_id) WHERE acknowledged_at IS NULL',
    );
    await q.query(
      'CREATE INDEX dispatches_state_deadline_idx ON dispatches (state, ack_deadline) WHERE ack_deadline IS NOT NULL',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX dispatches_state_deadline_idx');
    await q.query('DROP INDEX dispatches_unacknowledged_idx');
    await q.query('DROP TRIGGER dispatches_deadline_xid ON dispatches');
    await q.query('DROP TRIGGER dispatches_deadline_xid_insert ON dispatches');
    await q.query('DROP FUNCTION dispatches_deadline_xid()');
    await q.query(`ALTER TABLE "dispatches" DROP COLUMN "deadline_xid"`);
    await q.query('DROP INDEX incidents_updated_idx');
    await q.query('DROP TRIGGER incidents_updated_xid ON incidents');
    await q.query('DROP FUNCTION incidents_updated_xid()');
    await q.query(`ALTER TABLE "incidents" DROP COLUMN "updated_xid"`);
  }
}
