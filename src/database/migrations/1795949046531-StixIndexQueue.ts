import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * STIX objects indexed after commit instead of at it (src/interchange/stix-indexer.ts). The
 * trigger `incidents_stix_*` now only appends the incident to `stix_pending` (a sequence
 * key, so it never waits on another transaction), and `ccc_stix_index` turns pending rows
 * into stix_objects rows, batch by batch: the filing's transaction no longer builds one
 * object per observable nor takes the `stix_clock` row, and an import of 20,000
 * observables no longer holds its statement for the 40,000 objects. `ccc_stix_index` takes
 * the `stix_clock` row first, so indexers run one at a time and `date_added` still grows in
 * commit order; `upto` bounds a reader's catch-up to what was pending when it began.
 */
export class StixIndexQueue1795949046531 implements MigrationInterface {
  name = 'StixIndexQueue1795949046531';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "stix_pending" ("seq" BIGSERIAL NOT NULL, "incident_id" uuid NOT NULL, CONSTRAINT "PK_9cf5fdc15cb515c1dd35121df29" PRIMARY KEY ("seq"))`,
    );
    await q.query(`
      CREATE FUNCTION ccc_stix_index(max_rows int, upto bigint DEFAULT NULL) RETURNS int
      LANGUAGE plpgsql AS $$
      DECLARE
        taken int;
        ids uuid[];
        id uuid;
      BEGIN
        PERFORM 1 FROM stix_clock WHERE stix_clock.id = 1 FOR UPDATE;
        WITH picked AS (
          DELETE FROM stix_pending WHERE seq IN (
            SELECT seq FROM stix_pending WHERE upto IS NULL OR seq <= upto
            ORDER BY seq LIMIT max_rows)
          RETURNING incident_id, seq)
        SELECT (SELECT count(*) FROM picked),
               (SELECT array_agg(p.incident_id ORDER BY p.first)
                FROM (SELECT incident_id, min(seq) AS first FROM picked GROUP BY incident_id) p)
        INTO taken, ids;
        FOREACH id IN ARRAY coalesce(ids, '{}') LOOP
          PERFORM ccc_stix_sync(id);
        END LOOP;
        RETURN taken;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ccc_stix_incident() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO stix_pending (incident_id) VALUES (NEW.id);
        RETURN NULL;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ccc_stix_incident() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ccc_stix_sync(NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`SELECT ccc_stix_index(2147483647)`);
    await q.query(`DROP FUNCTION ccc_stix_index(int, bigint)`);
    await q.query(`DROP TABLE "stix_pending"`);
  }
}
