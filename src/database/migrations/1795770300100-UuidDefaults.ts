import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every UUID column with a generated default, as `Init` creates it. */
const UUID_DEFAULTS: [table: string, column: string][] = [
  ['api_keys', 'id'],
  ['audit_log', 'id'],
  ['incidents', 'id'],
  ['timeline_events', 'id'],
  ['comments', 'id'],
  ['contacts', 'id'],
  ['outbox', 'event_id'],
  ['deliveries', 'id'],
  ['reports', 'id'],
  ['dispatches', 'id'],
];

/**
 * UUID defaults from `gen_random_uuid()` (core since PostgreSQL 13) instead of the
 * `uuid-ossp` extension's uuid_generate_v4(). `Init` now writes gen_random_uuid() itself;
 * this brings databases made before to the same defaults. The extension is still used by
 * the outbox relay (uuid_generate_v5, deterministic delivery ids): no migration created it
 * (TypeORM did, on connect), so this one does (a trusted extension since PostgreSQL 13).
 */
export class UuidDefaults1795770300100 implements MigrationInterface {
  name = 'UuidDefaults1795770300100';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    for (const [table, column] of UUID_DEFAULTS) {
      await q.query(
        `ALTER TABLE IF EXISTS "${table}" ALTER COLUMN "${column}" SET DEFAULT gen_random_uuid()`,
      );
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
    for (const [table, column] of UUID_DEFAULTS) {
      await q.query(
        `ALTER TABLE IF EXISTS "${table}" ALTER COLUMN "${column}" SET DEFAULT uuid_generate_v4()`,
      );
    }
  }
}
