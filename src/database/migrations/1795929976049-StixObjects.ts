import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * STIX objects of incidents (src/interchange/stix-object.entity.ts): their kept ids, their
 * versions and their TAXII `date_added`. A deferred trigger on `incidents` fills the table at
 * commit of every transaction that files or changes an incident (its `updated_at` moves):
 * a new version of the `incident` object, and an object and a relationship for each
 * observable that has none yet. Whoever adds observables must move `updated_at` (intake
 * and attachments do). Running last before commit, the trigger takes the `stix_clock` row
 * after any other lock of the transaction (no lock-order cycle with the audit head), so
 * `date_added` values are unique and grow in commit order. The incident's row also keeps
 * its MISP event `timestamp`, one second more at least with every version.
 */
export class StixObjects1795929976049 implements MigrationInterface {
  name = 'StixObjects1795929976049';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "stix_objects" ("object_id" character varying(100) NOT NULL, "incident_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "position" integer, "version" TIMESTAMP WITH TIME ZONE NOT NULL, "date_added" TIMESTAMP WITH TIME ZONE NOT NULL, "event_timestamp" bigint, CONSTRAINT "PK_e543eca58577bbd61df8d136d8d" PRIMARY KEY ("object_id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "stix_objects_incident_idx" ON "stix_objects"  ("incident_id", "position", "kind") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "stix_objects_date_added_idx" ON "stix_objects"  ("date_added") `,
    );
    await q.query(
      `CREATE TABLE "stix_clock" ("id" smallint NOT NULL DEFAULT '1', "last" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_eb00a7d38e34f80763c341e25d2" PRIMARY KEY ("id"))`,
    );
    await q.query(`INSERT INTO stix_clock (id, last) VALUES (1, '2000-01-01T00:00:00Z')`);

    // One statement: what is missing, a tick of the clock for that many microseconds, the rows.
    await q.query(`
      CREATE FUNCTION ccc_stix_sync(incident uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        current timestamptz;
      BEGIN
        SELECT updated_at INTO current FROM incidents WHERE id = incident;
        IF NOT FOUND THEN RETURN; END IF;
        WITH pending AS (
          SELECT p.kind, p.position, p.object_id,
                 row_number() OVER (ORDER BY p.position NULLS FIRST, p.sub) AS ord
          FROM (
            SELECT 'incident' AS kind, NULL::int AS position, 'incident--' || incident AS object_id,
                   0 AS sub
            WHERE NOT EXISTS (SELECT 1 FROM stix_objects s
                              WHERE s.object_id = 'incident--' || incident AND s.version >= current)
            UNION ALL
            SELECT k.kind, o.position, k.kind || '--' || gen_random_uuid(), k.sub
            FROM incident_observables o
            CROSS JOIN LATERAL (VALUES
              (CASE WHEN o.type = 'cve' THEN 'vulnerability' ELSE 'indicator' END, 0),
              ('relationship', 1)) AS k(kind, sub)
            WHERE o.incident_id = incident
              AND NOT EXISTS (SELECT 1 FROM stix_objects s
                              WHERE s.incident_id = incident AND s.position = o.position)
          ) p
        ),
        total AS (SELECT count(*)::int AS n FROM pending),
        tick AS (
          UPDATE stix_clock
          SET last = greatest(clock_timestamp(), last + interval '1 microsecond')
                     + ((SELECT n FROM total) - 1) * interval '1 microsecond'
          WHERE id = 1 AND (SELECT n FROM total) > 0
          RETURNING last
        )
        INSERT INTO stix_objects
          (object_id, incident_id, kind, position, version, date_added, event_timestamp)
        SELECT p.object_id, incident, p.kind, p.position, current,
               tick.last - ((SELECT n FROM total) - p.ord) * interval '1 microsecond',
               CASE WHEN p.kind = 'incident' THEN floor(extract(epoch FROM current))::bigint END
        FROM pending p, tick
        ON CONFLICT (object_id) DO UPDATE
          SET version = EXCLUDED.version, date_added = EXCLUDED.date_added,
              event_timestamp = greatest(EXCLUDED.event_timestamp,
                                         stix_objects.event_timestamp + 1);
      END $$`);
    await q.query(`
      CREATE FUNCTION ccc_stix_incident() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ccc_stix_sync(NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER incidents_stix_insert AFTER INSERT ON incidents
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION ccc_stix_incident()`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER incidents_stix_update AFTER UPDATE ON incidents
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (OLD.updated_at IS DISTINCT FROM NEW.updated_at)
      EXECUTE FUNCTION ccc_stix_incident()`);
    // Incidents filed before this migration, oldest first.
    await q.query(`
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT id FROM incidents ORDER BY created_at, id LOOP
          PERFORM ccc_stix_sync(r.id);
        END LOOP;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER incidents_stix_update ON incidents`);
    await q.query(`DROP TRIGGER incidents_stix_insert ON incidents`);
    await q.query(`DROP FUNCTION ccc_stix_incident()`);
    await q.query(`DROP FUNCTION ccc_stix_sync(uuid)`);
    await q.query(`DROP TABLE "stix_clock"`);
    await q.query(`DROP INDEX "public"."stix_objects_date_added_idx"`);
    await q.query(`DROP INDEX "public"."stix_objects_incident_idx"`);
    await q.query(`DROP TABLE "stix_objects"`);
  }
}
