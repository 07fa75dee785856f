import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['constituency_domains', 'constituency_cidrs', 'constituency_asns'];

/** The constituency version row (see ConstituencyVersion) and the triggers that bump it. */
export class ConstituencyVersion1795749670000 implements MigrationInterface {
  name = 'ConstituencyVersion1795749670000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "constituency_version" ("id" smallint NOT NULL DEFAULT '1', "version" bigint NOT NULL, CONSTRAINT "PK_d278352afb376788f0319762005" PRIMARY KEY ("id"))`,
    );
    await q.query('INSERT INTO constituency_version (id, version) VALUES (1, 1)');
    await q.query(`CREATE FUNCTION constituency_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE constituency_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$`);
    for (const table of TABLES) {
      await q.query(`CREATE TRIGGER ${table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION constituency_version_bump()`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`DROP TRIGGER ${table}_version ON ${table}`);
    await q.query('DROP FUNCTION constituency_version_bump()');
    await q.query('DROP TABLE "constituency_version"');
  }
}
